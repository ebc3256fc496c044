// The flags of `node dist/train.js`: the data/model options, then every TrainingArguments field (generated from
// its table), with defaults that reproduce the Hugging Face text-classification tutorial.
import type { AttentionKernel } from '../../ops/self_attention.js';
import { formatHelp, UsageError, type FlagSpec, type FlagValue } from '../../util/args.js';
import { sameClassName } from '../../data/labels.js';
import {
  snakeName,
  TRAINING_ARGUMENT_DEFAULTS,
  TRAINING_ARGUMENT_FIELDS,
  TrainingArguments,
  TrainingArgumentsError,
  type TrainingArgumentsInit,
} from '../training_args.js';

/** The tutorial's settings (TrainingArguments in "Fine-tune a pretrained model / text classification"). */
export const TUTORIAL_DEFAULTS: TrainingArgumentsInit = {
  outputDir: 'my_awesome_model',
  learningRate: 2e-5,
  perDeviceTrainBatchSize: 16,
  perDeviceEvalBatchSize: 16,
  numTrainEpochs: 2,
  weightDecay: 0.01,
  evalStrategy: 'epoch',
  saveStrategy: 'epoch',
  loadBestModelAtEnd: true,
};
export const DEFAULT_MODEL = 'distilbert/distilbert-base-uncased';
export const DEFAULT_DATA = 'imdb';
export { DEFAULT_LABELS } from './label_plan.js';

export interface RunOptions {
  model: string;
  data?: string;
  trainFile?: string;
  evalFile?: string;
  textField?: string;
  /** Column holding the second text of a sentence pair (--text-pair-column). */
  textPairField?: string;
  labelField?: string;
  maxTrainSamples?: number;
  maxEvalSamples?: number;
  maxLength?: number;
  labels?: string[];
  offline: boolean;
  /** Attention kernels (the attentionKernel setting). */
  attention: AttentionKernel;
  /** After the final save, export onnx/model.onnx into the output directory. */
  onnx: boolean;
  help: boolean;
}

const kebab = (snake: string): string => snake.replace(/_/g, '-');

const RUN_FLAGS: FlagSpec[] = [
  {
    name: 'model',
    type: 'string',
    group: 'Model and data',
    metavar: 'DIR|ID',
    shownDefault: DEFAULT_MODEL,
    help: "A local HF model directory, or a Hub id (cache, then network): DistilBERT, BERT or RoBERTa (config.json's model_type)",
  },
  {
    name: 'data',
    type: 'string',
    group: 'Model and data',
    metavar: 'DIR|FILE|ID',
    shownDefault: DEFAULT_DATA,
    help: 'Dataset folder (train/test .jsonl/.csv/.tsv/.parquet or aclImdb), or a Hub id',
  },
  {
    name: 'train-file',
    type: 'string',
    group: 'Model and data',
    metavar: 'FILE',
    help: 'Training examples (overrides --data)',
  },
  {
    name: 'eval-file',
    type: 'string',
    group: 'Model and data',
    metavar: 'FILE',
    help: 'Evaluation examples (default: the test, else validation split of --data)',
  },
  {
    name: 'text-field',
    type: 'string',
    group: 'Model and data',
    help: 'Column holding the text (default: text, sentence, review or content)',
  },
  {
    name: 'text-pair-column',
    aliases: ['text-pair-field'],
    type: 'string',
    group: 'Model and data',
    metavar: 'NAME',
    shownDefault:
      'sentence2, sentence, hypothesis, question2 or text_pair when the data has the matching GLUE-style pair',
    help: 'Column holding the second text of a sentence pair (NLI, paraphrase); each example is encoded as a pair',
  },
  {
    name: 'label-field',
    type: 'string',
    group: 'Model and data',
    help: 'Column holding the label (default: label, labels or sentiment)',
  },
  {
    name: 'max-train-samples',
    type: 'int',
    group: 'Model and data',
    metavar: 'N',
    help: 'Train on a seeded random subset of N examples',
  },
  {
    name: 'max-eval-samples',
    type: 'int',
    group: 'Model and data',
    metavar: 'N',
    help: 'Evaluate on a seeded random subset of N examples',
  },
  {
    name: 'max-length',
    type: 'int',
    group: 'Model and data',
    metavar: 'N',
    shownDefault: "the tokenizer's model_max_length (512)",
    help: 'Truncate reviews to N tokens',
  },
  {
    name: 'labels',
    type: 'string',
    group: 'Model and data',
    metavar: 'A,B,..',
    shownDefault:
      "the model's id2label if it names the classes, else the training data's: string labels sorted, ids 0/1 as NEGATIVE,POSITIVE",
    help: 'Class names in label-id order (id2label); data labels may be these names or their ids',
  },
  {
    name: 'offline',
    type: 'bool',
    group: 'Model and data',
    shownDefault: 'false, or HF_HUB_OFFLINE',
    help: 'Never use the network; only local paths and the HF cache',
  },
  {
    name: 'attention',
    type: 'choice',
    group: 'Other',
    choices: ['auto', 'fused', 'unfused'],
    shownDefault: 'auto',
    help: 'Attention kernels: unfused products (auto; on a CPU adapter also past one binding, in chunks of the batch: 16×512 about 2× faster than fused, ~0.9 GiB more memory per layer), or fused flash kernels (O(T) memory; auto on GPUs past one binding)',
  },
  {
    name: 'onnx',
    type: 'bool',
    group: 'Other',
    shownDefault: 'false',
    help: 'After the final save, also write <output-dir>/onnx/model.onnx for transformers.js / onnxruntime (as node dist/export.js; replaces an earlier one)',
  },
  { name: 'help', type: 'bool', group: 'Other', help: 'Show this help' },
];

function trainingFlags(): FlagSpec[] {
  return TRAINING_ARGUMENT_FIELDS.map((f) => {
    const snake = snakeName(f.key);
    const def = (TUTORIAL_DEFAULTS as Record<string, unknown>)[f.key] ?? TRAINING_ARGUMENT_DEFAULTS[f.key];
    const spec: FlagSpec = {
      name: kebab(snake),
      type: f.type,
      group: `Training: ${f.group.toLowerCase()}`,
      help: f.help,
      choices: f.choices,
      shownDefault: def === undefined ? undefined : String(def),
    };
    if (f.key === 'evalStrategy') spec.aliases = ['evaluation-strategy'];
    return spec;
  });
}

export const TRAIN_FLAGS: readonly FlagSpec[] = [...RUN_FLAGS, ...trainingFlags()];

export const HELP_HEADER = `Usage: node dist/train.js [flags]

Fine-tunes DistilBERT, BERT or RoBERTa for text classification on WebGPU, as the Hugging Face tutorial does with Trainer.
With no flags: ${DEFAULT_MODEL} on ${DEFAULT_DATA}, lr 2e-5, batch 16/16, 2 epochs, weight decay 0.01,
evaluate and save each epoch, best model loaded at the end, written to ./my_awesome_model.
Flags may also be written in HF's snake_case (--learning_rate 2e-5).`;

export const HELP_FOOTER = `Examples:
  node dist/train.js --model ./weights/distilbert-base-uncased --data path/to/imdb
  node dist/train.js --max-train-samples 2000 --max-eval-samples 500 --max-length 128 --num-train-epochs 1
  node dist/train.js --resume-from-checkpoint true        (continue the latest checkpoint in --output-dir)

Exit codes: 0 done; 1 runtime error (model/data missing, a bad data line, a NaN loss, a write that failed, GPU);
2 usage error, also everything checked before training (output directory, --max-length, labels against the model,
free space); 130 Ctrl-C and 143 SIGTERM (each writes a checkpoint first). An output directory holding an earlier
run needs --resume-from-checkpoint true (continue it) or --overwrite-output-dir (replace it).`;

export function helpText(): string {
  return formatHelp(HELP_HEADER, TRAIN_FLAGS, HELP_FOOTER);
}

/** Parsed flags → run options and TrainingArguments (invalid arguments become UsageErrors naming the flag). */
export function buildOptions(values: Map<string, FlagValue>): { run: RunOptions; args: TrainingArguments } {
  const get = <T extends FlagValue>(n: string): T | undefined => values.get(n) as T | undefined;
  const positive = (n: string): number | undefined => {
    const v = get<number>(n);
    if (v !== undefined && v < 1) throw new UsageError(`--${n} must be at least 1, got ${v}`);
    return v;
  };
  const labels = get<string>('labels')
    ?.split(',')
    .map((s) => s.trim());
  if (labels && (labels.length < 2 || labels.some((l) => l === ''))) {
    throw new UsageError(`--labels needs at least two non-empty names separated by commas, got "${get('labels')}"`);
  }
  const twice = labels?.find((l, i) => labels.findIndex((m) => sameClassName(l, m)) !== i);
  if (twice !== undefined)
    throw new UsageError(`--labels names one class twice ("${twice}"; pos/positive and neg/negative count as one)`);
  const run: RunOptions = {
    model: get<string>('model') ?? DEFAULT_MODEL,
    data: get<string>('data') ?? (get('train-file') === undefined ? DEFAULT_DATA : undefined),
    trainFile: get<string>('train-file'),
    evalFile: get<string>('eval-file'),
    textField: get<string>('text-field'),
    textPairField: get<string>('text-pair-column'),
    labelField: get<string>('label-field'),
    maxTrainSamples: positive('max-train-samples'),
    maxEvalSamples: positive('max-eval-samples'),
    maxLength: positive('max-length'),
    labels,
    offline: get<boolean>('offline') ?? false,
    attention: (get<string>('attention') ?? 'auto') as AttentionKernel,
    onnx: get<boolean>('onnx') ?? false,
    help: get<boolean>('help') ?? false,
  };
  const init: Record<string, unknown> = { ...TUTORIAL_DEFAULTS };
  for (const f of TRAINING_ARGUMENT_FIELDS) {
    const v = values.get(kebab(snakeName(f.key)));
    if (v !== undefined) init[f.key] = v;
  }
  try {
    return { run, args: new TrainingArguments(init as TrainingArgumentsInit) };
  } catch (e) {
    if (e instanceof TrainingArgumentsError) {
      throw new UsageError(`--${kebab(e.argument)}: ${e.message.replace(/^TrainingArguments: [a-z_0-9]+: /, '')}`);
    }
    throw e;
  }
}
