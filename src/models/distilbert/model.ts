// DistilBertForSequenceClassification with Hugging Face semantics (transformers 4.57.6): [CLS] hidden state →
// pre_classifier → ReLU → dropout → classifier, mean cross-entropy when labels are given; HF tensor names.
import { defaultFileWriter, type FileSource, type FileWriter, type SourceOptions } from '../../io/files.js';
import { openModelSource } from '../../io/progress.js';
import { serializeSafetensors, type SafetensorsTensor, type SafetensorsWriteTensor } from '../../io/safetensors.js';
import { Dropout, Linear, setLinearWeightDtype } from '../../nn/layers.js';
import { Module } from '../../nn/module.js';
import { parameterSeed } from '../../nn/init.js';
import { DropoutRng } from '../../ops/dropout.js';
import { mean } from '../../ops/reductions.js';
import { relu, square, sub } from '../../ops/elementwise.js';
import { crossEntropy } from '../../ops/loss.js';
import { narrow } from '../../ops/shape.js';
import type { ParamGroup } from '../../optim/adamw.js';
import { init, runtime } from '../../runtime/device.js';
import type { Tensor } from '../../tensor/tensor.js';
import { DistilBertConfig, type DistilBertConfigInit } from './config.js';
import { checkIds, checkSequenceLength, toIntMatrix, toLabels, type LabelsInput } from './inputs.js';
import { parseForwardArgs, type ClassifierInputs, type ForwardFlags } from './forward_args.js';
import { DistilBertModel } from './modules.js';
import { planPacking } from './packing.js';
import { CONFIG_NAME, loadingMessages, MODEL_CLASS_NAME, readPretrained, type LoadingInfo } from './pretrained.js';
import { describeValue, optionsObject } from '../../util/check.js';
import { decayParameterNames, matchCheckpointNames } from './weights_spec.js';

export type { ClassifierInputs } from './forward_args.js';

export interface ClassifierOutput {
  /** [B, num_labels] */
  logits: Tensor;
  /** [] mean loss, when labels were given. */
  loss?: Tensor;
  /** n_layers + 1 tensors [B, T, dim]: embeddings output, then each layer's output (outputHiddenStates). */
  hiddenStates?: Tensor[];
}

export interface FromPretrainedOptions extends SourceOptions {
  numLabels?: number;
  id2label?: Record<number, string>;
  label2id?: Record<string, number>;
  /** Seed for tensors the checkpoint lacks (e.g. a new head) and for the dropout stream. Default 42. */
  seed?: number;
  /** HF ignore_mismatched_sizes: re-initialise tensors whose checkpoint shape differs instead of failing. */
  ignoreMismatchedSizes?: boolean;
  /** Receives HF's warnings (missing / mismatched weights). Default console.warn. */
  onWarning?: (message: string) => void;
  /** Receives HF's info-level messages (unused checkpoint weights of another architecture). Default: dropped. */
  onInfo?: (message: string) => void;
}

/** The older form of forward()'s flags, as a second argument; they may now be given in the inputs object. */
export type ForwardOptions = ForwardFlags;

const DEFAULT_SEED = 42;

export class DistilBertForSequenceClassification extends Module {
  readonly distilbert: DistilBertModel;
  readonly preClassifier: Linear;
  readonly classifier: Linear;
  readonly dropout: Dropout;
  /** The one dropout stream of the model (save its state() in checkpoints; restore seed and offset to resume). */
  readonly dropoutRng: DropoutRng;
  /** What the last fromPretrained found (empty lists for fromConfig). */
  loadingInfo: LoadingInfo = { missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] };
  /** Checkpoint tensors that held NaN or ±Inf values (fromPretrained warns about them): none in a sound model. */
  nonFiniteWeights: Array<{ name: string; count: number }> = [];
  private readonly seed: number;

  /** Builds the modules with uninitialised parameters: use fromConfig or fromPretrained. */
  protected constructor(
    readonly config: DistilBertConfig,
    seed: number,
  ) {
    super();
    this.seed = seed;
    this.dropoutRng = new DropoutRng(seed);
    const ir = config.initializer_range;
    this.distilbert = this.addModule('distilbert', new DistilBertModel(config, this.dropoutRng));
    this.preClassifier = this.addModule('pre_classifier', new Linear(config.dim, config.dim, ir));
    this.classifier = this.addModule('classifier', new Linear(config.dim, config.num_labels, ir));
    this.dropout = this.addModule('dropout', new Dropout(config.seq_classif_dropout, this.dropoutRng));
    for (const [name, p] of this.namedParameters()) p.name = name;
  }

  /**
   * A randomly initialised model (HF _init_weights: N(0, initializer_range) weights, zero biases, LayerNorm 1/0, zero
   * padding row).
   */
  static fromConfig(
    config: DistilBertConfig | DistilBertConfigInit,
    options: { seed?: number } = {},
  ): DistilBertForSequenceClassification {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new TypeError(
        `DistilBertForSequenceClassification.fromConfig: config must be a DistilBertConfig or its fields ({ dim, ` +
          `n_layers, … }), got ${describeValue(config)}`,
      );
    }
    options = optionsObject(options, 'DistilBertForSequenceClassification.fromConfig');
    const cfg = config instanceof DistilBertConfig ? config : new DistilBertConfig(config);
    const model = new DistilBertForSequenceClassification(cfg, options.seed ?? DEFAULT_SEED);
    model.initParameters();
    return model;
  }

  /**
   * Loads config.json and model.safetensors (or a sharded index) from a directory (Node), base URL (browser) or
   * FileSource. Tensors the checkpoint lacks (a base or MLM checkpoint has no classification head) are
   * initialised as HF does and reported on `loadingInfo` and through onWarning.
   */
  static async fromPretrained(
    location: string | FileSource,
    options: FromPretrainedOptions = {},
  ): Promise<DistilBertForSequenceClassification> {
    options = optionsObject(options, 'DistilBertForSequenceClassification.fromPretrained');
    await init(); // the runtime with its defaults, unless init(options) started it already
    const { numLabels, id2label, label2id } = options;
    const files = await readPretrained(
      openModelSource(location, options, 'DistilBertForSequenceClassification.fromPretrained: location'),
      { numLabels, id2label, label2id },
      location,
    );
    const shapes = new Map([...files.tensors].map(([n, t]) => [n, [...t.shape]] as [string, number[]]));
    const match = matchCheckpointNames(shapes, files.config, {
      fileName: files.weightsName,
      ignoreMismatchedSizes: options.ignoreMismatchedSizes,
    });
    const model = new DistilBertForSequenceClassification(files.config, options.seed ?? DEFAULT_SEED);
    try {
      model.initParameters(new Set([...match.missingKeys, ...match.mismatched.map((m) => m.name)]));
      model.uploadCheckpoint(match.mapping, files.tensors, files.weightsName);
    } catch (err) {
      model.dispose();
      throw err;
    }
    model.loadingInfo = {
      missingKeys: match.missingKeys,
      unexpectedKeys: match.unexpectedKeys,
      mismatchedKeys: match.mismatched,
    };
    const { warnings, infos } = loadingMessages(model.loadingInfo, files.location, files.config.architectures);
    if (model.nonFiniteWeights.length > 0) warnings.push(nonFiniteWarning(model.nonFiniteWeights, files.weightsName));
    for (const w of warnings) (options.onWarning ?? console.warn)(w);
    for (const m of infos) options.onInfo?.(m);
    return model;
  }

  /** Initialises every parameter (or only those named in `only`) from the model seed. */
  private initParameters(only?: Set<string>): void {
    const params = this.namedParameters();
    this.namedInits().forEach(([name, init], i) => {
      if (only && !only.has(name)) return;
      const p = params[i][1];
      writeParameter(p, init(p.size, parameterSeed(this.seed, i)));
    });
  }

  private uploadCheckpoint(
    mapping: Map<string, string>,
    tensors: Map<string, SafetensorsTensor>,
    fileName: string,
  ): void {
    for (const [name, p] of this.namedParameters()) {
      const fileKey = mapping.get(name);
      if (fileKey === undefined) continue;
      const t = tensors.get(fileKey)!;
      const data = t.data();
      if (!(data instanceof Float32Array))
        throw new Error(`${fileName}: tensor "${fileKey}" has dtype ${t.dtype}; a parameter needs a float dtype`);
      const bad = countNonFinite(data);
      if (bad > 0) this.nonFiniteWeights.push({ name: fileKey, count: bad });
      writeParameter(p, data);
    }
  }

  /**
   * inputIds, attentionMask: [B, T] → logits [B, num_labels] (+ loss [] with labels, + hidden states with
   * outputHiddenStates). HF's keyword arguments in one object, camelCase; an unknown key is an error. Host inputs are
   * range-checked; GPU tensors are trusted (the kernels clamp ids). Call inside tidy().
   */
  forward(inputs: ClassifierInputs, options?: ForwardOptions): ClassifierOutput {
    const { config } = this;
    const { flags } = parseForwardArgs(inputs, options);
    const ids = toIntMatrix(inputs.inputIds, 'input_ids');
    const [batch, seqLen] = ids.tensor.shape;
    checkSequenceLength(seqLen, config.max_position_embeddings);
    if (ids.host) checkIds(ids.host, ids.tensor.shape, config.vocab_size);
    let mask: Tensor | undefined;
    let maskHost: ArrayLike<number> | undefined;
    if (inputs.attentionMask !== undefined) {
      const m = toIntMatrix(inputs.attentionMask, 'attention_mask');
      [mask, maskHost] = [m.tensor, m.host];
      if (mask.shape.join() !== ids.tensor.shape.join()) {
        throw new Error(`attention_mask [${mask.shape}] must have the shape of input_ids [${ids.tensor.shape}]`);
      }
    }
    // The padding is skipped (packing.ts) when it can be: no hidden states asked for, ids and mask known on the
    // host (a GPU mask would need a readback to plan).
    const canPack =
      flags.skipPadding !== false &&
      !flags.outputHiddenStates &&
      ids.host !== undefined &&
      (maskHost !== undefined || mask === undefined);
    const plan = canPack
      ? planPacking(ids.host!, maskHost ?? new Int32Array(batch * seqLen).fill(1), batch, seqLen)
      : undefined;
    let hidden: Tensor[] | undefined;
    let cls: Tensor;
    if (plan) {
      cls = this.distilbert.forwardCls(plan);
    } else {
      hidden = this.distilbert.forward(ids.tensor, mask);
      cls = narrow(hidden[hidden.length - 1], 1, 0, 1).reshape([batch, config.dim]); // hidden[:, 0]
    }
    const pooled = this.dropout.forward(relu(this.preClassifier.forward(cls)));
    const logits = this.classifier.forward(pooled);
    const out: ClassifierOutput = { logits };
    if (inputs.labels !== undefined) out.loss = this.loss(logits, inputs.labels, batch);
    if (flags.outputHiddenStates) out.hiddenStates = hidden!;
    return out;
  }

  /** HF's problem_type logic: set on the first labelled forward (so a config saved after training records it). */
  private loss(logits: Tensor, labels: LabelsInput, batch: number): Tensor {
    const { config } = this;
    config.problem_type ??= config.num_labels === 1 ? 'regression' : 'single_label_classification';
    if (config.problem_type === 'regression') {
      if (config.num_labels !== 1)
        throw new Error(`problem_type "regression" needs num_labels = 1, got ${config.num_labels}`);
      return mean(square(sub(logits.reshape([batch]), toLabels(labels, batch, 1, true))));
    }
    if (config.problem_type === 'multi_label_classification') {
      throw new Error(
        'problem_type "multi_label_classification" (BCEWithLogitsLoss) is not supported; use ' +
          'single_label_classification',
      );
    }
    return crossEntropy(logits, toLabels(labels, batch, config.num_labels, false));
  }

  /**
   * 'f16': every Linear product (all but embeddings, LayerNorm and the attention products) reads float16 copies of the
   * weights, cast once per weight version (a step's micro-batches and evaluations share them): half the weight
   * traffic; f32 accumulation, activations, gradients and master weights. Needs the adapter feature shader-f16.
   * 'f32' (the default) turns it off.
   */
  setMatmulDtype(dtype: 'f32' | 'f16'): this {
    if (dtype !== 'f32' && dtype !== 'f16')
      throw new Error(`setMatmulDtype: expected 'f32' or 'f16', got ${JSON.stringify(dtype)}`);
    if (dtype === 'f16' && !runtime().features.has('shader-f16')) {
      throw new Error(
        `setMatmulDtype('f16'): this adapter (${runtime().info.description}) lacks the WebGPU feature shader-f16`,
      );
    }
    setLinearWeightDtype(this, dtype);
    return this;
  }

  /** AdamW groups as Trainer.create_optimizer builds them: decayed parameters first, then the rest with 0. */
  optimizerGroups(weightDecay: number): ParamGroup[] {
    const named = this.namedParameters();
    const decay = new Set(decayParameterNames(named.map(([n]) => n)));
    return [
      { params: named.filter(([n]) => decay.has(n)).map(([, p]) => p), weightDecay },
      { params: named.filter(([n]) => !decay.has(n)).map(([, p]) => p), weightDecay: 0 },
    ];
  }

  /** name → values of every parameter (reads back from the GPU). */
  async stateDict(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name, p] of this.namedParameters()) out.set(name, (await p.data()) as Float32Array);
    return out;
  }

  /** Overwrites every parameter (strict: the names must be exactly the model's, the sizes must match). */
  loadStateDict(state: Map<string, Float32Array> | Record<string, Float32Array>): void {
    const map = state instanceof Map ? state : new Map(Object.entries(state));
    const named = this.namedParameters();
    const missing = named.map(([n]) => n).filter((n) => !map.has(n));
    const known = new Set(named.map(([n]) => n));
    const unexpected = [...map.keys()].filter((n) => !known.has(n));
    if (missing.length || unexpected.length) {
      throw new Error(
        `loadStateDict: missing keys [${missing.join(', ')}], unexpected keys [${unexpected.join(', ')}]`,
      );
    }
    for (const [name, p] of named) {
      const v = map.get(name)!;
      if (v.length !== p.size)
        throw new Error(`loadStateDict: "${name}" has ${v.length} values, the parameter [${p.shape}] needs ${p.size}`);
    }
    for (const [name, p] of named) writeParameter(p, map.get(name)!);
  }

  /**
   * The files save_pretrained writes: config.json and model.safetensors (HF's byte layout). Weights holding NaN or
   * ±Inf are refused (an error naming the parameter) unless `allowNonFinite`: a diverged model is never saved unasked.
   */
  async saveFiles(options: SaveOptions = {}): Promise<Map<string, Uint8Array>> {
    this.config.architectures = [MODEL_CLASS_NAME];
    this.config.dtype = 'float32';
    const tensors: Record<string, SafetensorsWriteTensor> = {};
    for (const [name, p] of this.namedParameters()) {
      const data = (await p.data()) as Float32Array;
      const bad = options.allowNonFinite ? 0 : countNonFinite(data);
      if (bad > 0) throw new NonFiniteWeightsError(name, bad, data.length);
      tensors[name] = { shape: p.shape, data };
    }
    return new Map([
      [CONFIG_NAME, new TextEncoder().encode(this.config.toJSONString())],
      ['model.safetensors', serializeSafetensors(tensors, { format: 'pt' })],
    ]);
  }

  /** Writes the model directory (Node registers a file-system writer; elsewhere pass one). */
  async savePretrained(
    dir: string,
    writer: FileWriter = defaultFileWriter(),
    options: SaveOptions = {},
  ): Promise<void> {
    if (typeof dir !== 'string' || dir === '')
      throw new TypeError(`savePretrained: dir must be a non-empty directory path, got ${describeValue(dir)}`);
    if (typeof writer !== 'function')
      throw new TypeError(
        `savePretrained: writer must be a function (dir, files) => Promise<void>, got ${describeValue(writer)}`,
      );
    await writer(dir, await this.saveFiles(options));
  }
}

export interface SaveOptions {
  /** Save weights holding NaN or ±Inf anyway (default false: an error naming the parameter). */
  allowNonFinite?: boolean;
}

/** A parameter holds NaN or ±Inf where a model was about to be saved. */
export class NonFiniteWeightsError extends Error {
  override readonly name = 'NonFiniteWeightsError';
  constructor(
    readonly parameter: string,
    readonly count: number,
    readonly size: number,
  ) {
    super(
      `parameter "${parameter}" holds ${count} non-finite value${count > 1 ? 's' : ''} (NaN or ±Inf) of ${size}: ` +
        `not saved`,
    );
  }
}

function countNonFinite(data: Float32Array): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) n++;
  return n;
}

function nonFiniteWarning(bad: ReadonlyArray<{ name: string; count: number }>, fileName: string): string {
  const list =
    bad
      .slice(0, 5)
      .map((b) => `${b.name} (${b.count})`)
      .join(', ') + (bad.length > 5 ? `, … ${bad.length - 5} more` : '');
  return (
    `${fileName}: ${bad.length} tensor${bad.length > 1 ? 's hold' : ' holds'} non-finite values (NaN or ±Inf): ` +
    `${list}. ` +
    "This model's outputs will not be finite: the checkpoint is damaged, or was saved from a run that diverged."
  );
}

/** Overwrites a parameter's values and bumps its version, so copies derived from it (f16 weights) are remade. */
function writeParameter(p: Tensor, data: Float32Array): void {
  runtime().upload(p.buffer, data);
  p.version++;
}
