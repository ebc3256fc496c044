// What the Trainer needs from a model, tokenizer, dataset and collator, and what it tells callbacks. Structural
// types: DistilBertForSequenceClassification, any Tokenizer and DataCollatorWithPadding fit them as they are,
// and tests can pass small stand-ins.
import type { BatchInputs, CollatedBatch, CollatorFeature } from '../data/collator.js';
import type { DropoutRng } from '../ops/dropout.js';
import type { ParamGroup } from '../optim/adamw.js';
import type { Tensor } from '../tensor/tensor.js';
import type { LogEntry, TrainerState } from './trainer_state.js';

export type { HostMatrix } from '../data/collator.js';

export interface TrainableModel {
  /** inputIds, attentionMask: [B, T], labels: [B] → logits [B, C] (+ mean loss [] with labels). Call inside tidy. */
  forward(inputs: BatchInputs): { logits: Tensor; loss?: Tensor };
  namedParameters(): [string, Tensor][];
  /** AdamW groups with HF's decay split, decayed parameters first. */
  optimizerGroups(weightDecay: number): ParamGroup[];
  /** Dropout on (train) or off (eval). */
  readonly training: boolean;
  train(mode?: boolean): unknown;
  eval(): unknown;
  zeroGrad(): void;
  /** The model's dropout stream: seed and offset are saved in checkpoints and restored on resume. */
  readonly dropoutRng: DropoutRng;
  /** Strict: every parameter by name. */
  loadStateDict(state: Map<string, Float32Array>): void;
  /** config.json + model.safetensors (save_pretrained's files). */
  saveFiles(): Promise<Map<string, Uint8Array>>;
  readonly config: { num_labels: number };
  /** 'f16': Linear products read float16 weight copies (fp16 training caches its weight casts so); throws where unsupported. */
  setMatmulDtype(dtype: 'f32' | 'f16'): unknown;
}

/** Anything that can save its files next to the model (any Tokenizer). */
export interface SavableTokenizer {
  saveFiles(): Map<string, Uint8Array>;
  readonly padTokenId?: number;
  /** token_type_id of padded positions (0 for BERT); the default collator pads tokenTypeIds with it. */
  readonly padTokenTypeId?: number;
}

/** A tokenized dataset: example i is features[i]. */
export type FeatureDataset = ArrayLike<CollatorFeature>;

export interface Collator {
  collate(features: readonly CollatorFeature[]): CollatedBatch;
}

/** HF TrainerControl: callbacks flip these at step end (e.g. Ctrl-C: save then stop). */
export interface TrainerControl {
  shouldLog: boolean;
  shouldEvaluate: boolean;
  shouldSave: boolean;
  shouldTrainingStop: boolean;
}

export interface StepInfo {
  state: TrainerState;
  control: TrainerControl;
  /** Examples consumed by this optimizer step. */
  examples: number;
  /** Seconds since training (or this resumed run) started. */
  elapsed: number;
}

/** Hooks into the loop (HF TrainerCallback, the events we have). Each may be async; the loop awaits it. */
export interface TrainerCallback {
  onTrainBegin?(state: TrainerState): void | Promise<void>;
  /** After every optimizer step, before logging/evaluating/saving: may set control flags. */
  onStepEnd?(info: StepInfo): void | Promise<void>;
  /** A log_history entry was appended (training loss, evaluation metrics or the final summary). */
  onLog?(logs: LogEntry, state: TrainerState): void | Promise<void>;
  onEvaluate?(metrics: Record<string, number>, state: TrainerState): void | Promise<void>;
  /** A checkpoint folder was written (its name, e.g. "checkpoint-500"). */
  onSave?(checkpoint: string, state: TrainerState): void | Promise<void>;
  onTrainEnd?(state: TrainerState): void | Promise<void>;
}
