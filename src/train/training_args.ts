// TrainingArguments: Hugging Face's names, defaults and __post_init__ checks (transformers 4.57.6), camelCase in
// code, snake_case in training_args.json, kebab-case (or HF's snake_case) on the command line. The field table
// below is the single source of truth for all three, and for `--help`.

import { describeValue } from '../util/check.js';

export type IntervalStrategy = 'no' | 'steps' | 'epoch';
export type SaveStrategy = IntervalStrategy | 'best';
export type SchedulerType = 'linear' | 'cosine' | 'constant' | 'constant_with_warmup';
export const SCHEDULER_TYPES: readonly SchedulerType[] = ['linear', 'cosine', 'constant', 'constant_with_warmup'];
const INTERVALS: readonly IntervalStrategy[] = ['no', 'steps', 'epoch'];
const SAVE_STRATEGIES: readonly SaveStrategy[] = ['no', 'steps', 'epoch', 'best'];

/** A bad argument: `argument` is HF's snake_case name (the CLI turns it into its flag). */
export class TrainingArgumentsError extends Error {
  override readonly name = 'TrainingArgumentsError';
  constructor(
    readonly argument: string,
    detail: string,
  ) {
    super(`TrainingArguments: ${argument}: ${detail}`);
  }
}

export interface TrainingArgumentsFields {
  outputDir: string;
  /** HF overwrite_output_dir: the CLI replaces an earlier run in outputDir instead of refusing (the Trainer ignores it). */
  overwriteOutputDir: boolean;
  numTrainEpochs: number;
  maxSteps: number;
  perDeviceTrainBatchSize: number;
  perDeviceEvalBatchSize: number;
  gradientAccumulationSteps: number;
  learningRate: number;
  weightDecay: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
  maxGradNorm: number;
  lrSchedulerType: SchedulerType;
  warmupSteps: number;
  warmupRatio: number;
  loggingStrategy: IntervalStrategy;
  loggingSteps: number;
  loggingFirstStep: boolean;
  evalStrategy: IntervalStrategy;
  /** undefined: logging_steps (HF). Below 1: a fraction of the total steps. */
  evalSteps: number | undefined;
  saveStrategy: SaveStrategy;
  saveSteps: number;
  saveTotalLimit: number | undefined;
  loadBestModelAtEnd: boolean;
  metricForBestModel: string | undefined;
  greaterIsBetter: boolean | undefined;
  seed: number;
  /** Seed of the epoch shuffles (default: seed). Epoch e is shuffled with dataSeed + e. */
  dataSeed: number | undefined;
  dataloaderDropLast: boolean;
  /**
   * Mixed precision (HF's fp16=True: torch autocast + GradScaler): products in float16 with float32 accumulation,
   * float32 master weights, optimizer, softmax, LayerNorm and loss; dynamic loss scaling (train/mixed_precision.ts).
   */
  fp16: boolean;
  /** A checkpoint directory, or true for the latest valid one in outputDir. */
  resumeFromCheckpoint: string | boolean | undefined;
}

export type FieldType = 'string' | 'int' | 'float' | 'bool' | 'choice' | 'path-or-bool';

/** One argument: its camelCase key, type, default, help group and text. The snake name is derived. */
export interface FieldSpec {
  key: keyof TrainingArgumentsFields;
  type: FieldType;
  group: string;
  help: string;
  choices?: readonly string[];
  /** Optional numbers may be absent (HF's None). */
  optional?: boolean;
}

export const TRAINING_ARGUMENT_FIELDS: readonly FieldSpec[] = [
  { key: 'outputDir', type: 'string', group: 'Output', help: 'Where checkpoints and the final model are written' },
  {
    key: 'overwriteOutputDir',
    type: 'bool',
    group: 'Output',
    help: 'Replace an earlier run in output_dir (its checkpoints and model files are deleted first)',
  },
  { key: 'numTrainEpochs', type: 'float', group: 'Schedule', help: 'Passes over the training set (fractions allowed)' },
  {
    key: 'maxSteps',
    type: 'int',
    group: 'Schedule',
    help: 'If > 0: total optimizer steps, overriding num_train_epochs',
  },
  { key: 'perDeviceTrainBatchSize', type: 'int', group: 'Batches', help: 'Examples per training micro-batch' },
  { key: 'perDeviceEvalBatchSize', type: 'int', group: 'Batches', help: 'Examples per evaluation batch' },
  {
    key: 'gradientAccumulationSteps',
    type: 'int',
    group: 'Batches',
    help: 'Micro-batches per optimizer step (loss averaged over them)',
  },
  {
    key: 'dataloaderDropLast',
    type: 'bool',
    group: 'Batches',
    help: 'Drop the last incomplete training batch of each epoch',
  },
  { key: 'learningRate', type: 'float', group: 'Optimizer', help: 'Initial AdamW learning rate' },
  {
    key: 'weightDecay',
    type: 'float',
    group: 'Optimizer',
    help: 'AdamW decoupled weight decay (not on biases and LayerNorm weights)',
  },
  { key: 'adamBeta1', type: 'float', group: 'Optimizer', help: 'AdamW beta1' },
  { key: 'adamBeta2', type: 'float', group: 'Optimizer', help: 'AdamW beta2' },
  { key: 'adamEpsilon', type: 'float', group: 'Optimizer', help: 'AdamW epsilon' },
  {
    key: 'maxGradNorm',
    type: 'float',
    group: 'Optimizer',
    help: 'Clip the global gradient norm to this (0: no clipping)',
  },
  {
    key: 'lrSchedulerType',
    type: 'choice',
    group: 'Schedule',
    choices: SCHEDULER_TYPES,
    help: 'Learning-rate schedule',
  },
  { key: 'warmupSteps', type: 'int', group: 'Schedule', help: 'Linear warmup steps (overrides warmup_ratio when > 0)' },
  { key: 'warmupRatio', type: 'float', group: 'Schedule', help: 'Warmup as a fraction of the total steps' },
  {
    key: 'loggingStrategy',
    type: 'choice',
    group: 'Logging',
    choices: INTERVALS,
    help: 'When to log the training loss',
  },
  { key: 'loggingSteps', type: 'float', group: 'Logging', help: 'Log every N steps (below 1: fraction of the total)' },
  { key: 'loggingFirstStep', type: 'bool', group: 'Logging', help: 'Also log the first step' },
  {
    key: 'evalStrategy',
    type: 'choice',
    group: 'Evaluation',
    choices: INTERVALS,
    help: 'When to evaluate (alias: evaluation_strategy)',
  },
  {
    key: 'evalSteps',
    type: 'float',
    group: 'Evaluation',
    optional: true,
    help: 'Evaluate every N steps (default: logging_steps)',
  },
  {
    key: 'saveStrategy',
    type: 'choice',
    group: 'Checkpoints',
    choices: SAVE_STRATEGIES,
    help: 'When to write a checkpoint',
  },
  {
    key: 'saveSteps',
    type: 'float',
    group: 'Checkpoints',
    help: 'Checkpoint every N steps (below 1: fraction of the total)',
  },
  {
    key: 'saveTotalLimit',
    type: 'int',
    group: 'Checkpoints',
    optional: true,
    help: 'Keep at most N checkpoints (never the best one)',
  },
  {
    key: 'loadBestModelAtEnd',
    type: 'bool',
    group: 'Checkpoints',
    help: 'Reload the best checkpoint when training ends',
  },
  {
    key: 'metricForBestModel',
    type: 'string',
    group: 'Checkpoints',
    optional: true,
    help: 'Metric choosing the best checkpoint (default: loss)',
  },
  {
    key: 'greaterIsBetter',
    type: 'bool',
    group: 'Checkpoints',
    optional: true,
    help: 'Whether a larger metric is better (default: unless it ends in "loss")',
  },
  {
    key: 'resumeFromCheckpoint',
    type: 'path-or-bool',
    group: 'Checkpoints',
    optional: true,
    help: 'Resume from this checkpoint directory, or "true" for the latest in output_dir',
  },
  {
    key: 'fp16',
    type: 'bool',
    group: 'Precision',
    help: 'Mixed precision as HF: products in f16 (f32 accumulation), f32 master weights, dynamic loss scaling (GradScaler); needs shader-f16',
  },
  { key: 'seed', type: 'int', group: 'Reproducibility', help: 'Seed of the classifier init, dropout and shuffling' },
  {
    key: 'dataSeed',
    type: 'int',
    group: 'Reproducibility',
    optional: true,
    help: 'Seed of the epoch shuffles (default: seed)',
  },
];

/** HF's defaults (4.57.6), except output_dir, which has no useful default there. */
export const TRAINING_ARGUMENT_DEFAULTS: Readonly<TrainingArgumentsFields> = {
  outputDir: 'trainer_output',
  overwriteOutputDir: false,
  numTrainEpochs: 3,
  maxSteps: -1,
  perDeviceTrainBatchSize: 8,
  perDeviceEvalBatchSize: 8,
  gradientAccumulationSteps: 1,
  learningRate: 5e-5,
  weightDecay: 0,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEpsilon: 1e-8,
  maxGradNorm: 1,
  lrSchedulerType: 'linear',
  warmupSteps: 0,
  warmupRatio: 0,
  loggingStrategy: 'steps',
  loggingSteps: 500,
  loggingFirstStep: false,
  evalStrategy: 'no',
  evalSteps: undefined,
  saveStrategy: 'steps',
  saveSteps: 500,
  saveTotalLimit: undefined,
  loadBestModelAtEnd: false,
  metricForBestModel: undefined,
  greaterIsBetter: undefined,
  seed: 42,
  dataSeed: undefined,
  dataloaderDropLast: false,
  fp16: false,
  resumeFromCheckpoint: undefined,
};

/** camelCase → HF's snake_case (learningRate → learning_rate, adamBeta1 → adam_beta1). */
export function snakeName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export type TrainingArgumentsInit = Partial<TrainingArgumentsFields> & {
  /** Deprecated HF name of evalStrategy; accepted when evalStrategy is not given. */
  evaluationStrategy?: IntervalStrategy;
};

export interface TrainingArguments extends TrainingArgumentsFields {}

export class TrainingArguments {
  constructor(init: TrainingArgumentsInit = {}) {
    if (init === null || typeof init !== 'object' || Array.isArray(init)) {
      throw new TrainingArgumentsError(
        'init',
        `expected an object of arguments ({ outputDir, learningRate, … }), got ${describeValue(init)}`,
      );
    }
    const { evaluationStrategy, ...rest } = init;
    for (const k of Object.keys(rest)) {
      if (!(k in TRAINING_ARGUMENT_DEFAULTS)) throw new TrainingArgumentsError(snakeName(k), 'unknown argument');
    }
    Object.assign(this, TRAINING_ARGUMENT_DEFAULTS);
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) (this as unknown as Record<string, unknown>)[k] = v;
    if (evaluationStrategy !== undefined) {
      if (init.evalStrategy !== undefined && init.evalStrategy !== evaluationStrategy) {
        throw new TrainingArgumentsError(
          'evaluation_strategy',
          `conflicts with eval_strategy (${init.evalStrategy}); give only eval_strategy`,
        );
      }
      this.evalStrategy = evaluationStrategy;
    }
    this.validate();
  }

  /** training_args.json (snake_case keys; absent optionals as null, like HF's to_json_string). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of TRAINING_ARGUMENT_FIELDS) out[snakeName(f.key)] = this[f.key] ?? null;
    return out;
  }

  /** training_args.json → TrainingArguments (unknown keys are an error naming them). */
  static fromJSON(obj: Record<string, unknown>): TrainingArguments {
    const byName = new Map(TRAINING_ARGUMENT_FIELDS.map((f) => [snakeName(f.key), f.key]));
    const init: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (k === 'evaluation_strategy') init.evaluationStrategy = v;
      else if (byName.has(k)) init[byName.get(k)!] = v === null ? undefined : v;
      else throw new TrainingArgumentsError(k, 'unknown argument in training_args.json');
    }
    return new TrainingArguments(init as TrainingArgumentsInit);
  }

  /** The metric compared across evaluations, with HF's "eval_" prefix. */
  get bestMetricKey(): string | undefined {
    const m = this.metricForBestModel;
    if (m === undefined) return undefined;
    return m.startsWith('eval_') ? m : `eval_${m}`;
  }

  /** The seed of epoch e's shuffle. */
  epochSeed(epoch: number): number {
    return (this.dataSeed ?? this.seed) + epoch;
  }

  private validate(): void {
    for (const f of TRAINING_ARGUMENT_FIELDS) checkType(f, this[f.key]);
    positiveInt('per_device_train_batch_size', this.perDeviceTrainBatchSize);
    positiveInt('per_device_eval_batch_size', this.perDeviceEvalBatchSize);
    positiveInt('gradient_accumulation_steps', this.gradientAccumulationSteps);
    if (!(this.learningRate >= 0)) fail('learning_rate', `must be >= 0, got ${this.learningRate}`);
    if (!(this.weightDecay >= 0)) fail('weight_decay', `must be >= 0, got ${this.weightDecay}`);
    for (const [name, b] of [
      ['adam_beta1', this.adamBeta1],
      ['adam_beta2', this.adamBeta2],
    ] as const) {
      if (!(b >= 0 && b < 1)) fail(name, `must be in [0, 1), got ${b}`);
    }
    if (!(this.adamEpsilon >= 0)) fail('adam_epsilon', `must be >= 0, got ${this.adamEpsilon}`);
    if (!(this.maxGradNorm >= 0)) fail('max_grad_norm', `must be >= 0 (0 turns clipping off), got ${this.maxGradNorm}`);
    if (!(this.numTrainEpochs > 0) && this.maxSteps <= 0) {
      fail('num_train_epochs', `must be > 0 unless max_steps is set, got ${this.numTrainEpochs}`);
    }
    if (!(this.warmupRatio >= 0 && this.warmupRatio <= 1))
      fail('warmup_ratio', `must lie in [0, 1], got ${this.warmupRatio}`);
    if (!(this.warmupSteps >= 0)) fail('warmup_steps', `must be >= 0, got ${this.warmupSteps}`);
    if (this.saveTotalLimit !== undefined && this.saveTotalLimit < 1)
      fail('save_total_limit', `must be >= 1, got ${this.saveTotalLimit}`);
    this.resolveIntervals();
    this.resolveBestModel();
  }

  private resolveIntervals(): void {
    stepsValue('logging_steps', this.loggingSteps, this.loggingStrategy === 'steps');
    stepsValue('save_steps', this.saveSteps, this.saveStrategy === 'steps');
    if (this.evalStrategy === 'steps' && (this.evalSteps === undefined || this.evalSteps === 0)) {
      // HF: eval_steps falls back to logging_steps.
      if (!(this.loggingSteps > 0))
        fail('eval_steps', 'eval_strategy "steps" needs a non-zero eval_steps or logging_steps');
      this.evalSteps = this.loggingSteps;
    }
    if (this.evalSteps !== undefined) stepsValue('eval_steps', this.evalSteps, this.evalStrategy === 'steps');
  }

  private resolveBestModel(): void {
    if (this.loadBestModelAtEnd && this.saveStrategy !== 'best') {
      if (this.evalStrategy !== this.saveStrategy) {
        fail(
          'load_best_model_at_end',
          `requires the save and eval strategy to match, but found eval_strategy "${this.evalStrategy}" and save_strategy "${this.saveStrategy}"`,
        );
      }
      if (this.evalStrategy === 'steps' && this.saveSteps % this.evalSteps! !== 0) {
        fail(
          'load_best_model_at_end',
          `requires save_steps to be a round multiple of eval_steps, but found save_steps ${this.saveSteps} and eval_steps ${this.evalSteps}`,
        );
      }
    }
    if (this.saveStrategy === 'best' && this.metricForBestModel === undefined && !this.loadBestModelAtEnd) {
      fail('metric_for_best_model', 'save_strategy "best" needs metric_for_best_model');
    }
    if (this.loadBestModelAtEnd && this.metricForBestModel === undefined) this.metricForBestModel = 'loss';
    if (this.saveStrategy === 'best' && this.metricForBestModel === undefined) this.metricForBestModel = 'loss';
    if (this.greaterIsBetter === undefined && this.metricForBestModel !== undefined) {
      this.greaterIsBetter = !this.metricForBestModel.endsWith('loss');
    }
  }
}

function fail(argument: string, detail: string): never {
  throw new TrainingArgumentsError(argument, detail);
}

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) fail(name, `must be a positive integer, got ${v}`);
}

/** An interval: a whole number of steps (> 1) or a fraction of the run in (0, 1), as HF allows. */
function stepsValue(name: string, v: number, used: boolean): void {
  if (!used) return;
  if (!(v > 0)) fail(name, `must be > 0 when its strategy is "steps", got ${v}`);
  if (v > 1 && !Number.isInteger(v)) fail(name, `must be an integer when > 1, got ${v}`);
}

function checkType(f: FieldSpec, v: unknown): void {
  const name = snakeName(f.key);
  if (v === undefined) {
    if (!f.optional) fail(name, 'is required');
    return;
  }
  switch (f.type) {
    case 'string':
      if (typeof v !== 'string' || v === '') fail(name, `must be a non-empty string, got ${JSON.stringify(v)}`);
      break;
    case 'int':
      if (!Number.isInteger(v)) fail(name, `must be an integer, got ${JSON.stringify(v)}`);
      break;
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(name, `must be a finite number, got ${JSON.stringify(v)}`);
      break;
    case 'bool':
      if (typeof v !== 'boolean') fail(name, `must be true or false, got ${JSON.stringify(v)}`);
      break;
    case 'choice':
      if (!f.choices!.includes(v as string))
        fail(name, `must be one of ${f.choices!.join(', ')}; got ${JSON.stringify(v)}`);
      break;
    case 'path-or-bool':
      if (typeof v !== 'boolean' && (typeof v !== 'string' || v === ''))
        fail(name, `must be a checkpoint path or true, got ${JSON.stringify(v)}`);
      break;
  }
}
