// The built-in demo (`node dist/train.js --demo`, and what `node dist/train.js` falls back to when neither the
// tutorial's model nor its data can be had): a small DistilBERT-architecture classifier initialised from scratch,
// a WordPiece vocab built from the embedded corpus, fine-tuned through the same Trainer as the real run
// (checkpoints, evaluation each epoch, best model at the end, final save with tokenizer files), then the
// predictor classifies a few sentences from the saved directory. A few minutes on a CPU software adapter.
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseFlags, UsageError, type FlagValue } from '../util/args.js';
import type { TrainIO } from '../train/cli/train_io.js';
import { tokenizeDataset } from '../data/tokenize.js';
import { init, DistilBertForSequenceClassification, DistilBertConfig } from '../index.js';
import { exportOnnxToDirectory } from '../export/export_node.js';
import { defaultCacheDir, offlineFromEnv } from '../io/hub.js';
import { pipeline } from '../pipeline/pipeline.js';
import { BertTokenizer } from '../tokenizers/bert_tokenizer.js';
import { trainingCurvesSvg } from '../train/curves_svg.js';
import { TRAIN_FLAGS, type RunOptions } from '../train/cli/flags.js';
import { formatDuration, ProgressReporter } from '../train/cli/progress.js';
import { guardInterrupts } from '../train/cli/interrupt.js';
import { checkFlagCombinations, checkOutputDir, clearPreviousRun } from '../train/cli/preflight_node.js';
import { createCliTrainer } from '../train/cli/cli_trainer.js';
import type { SourceUnavailableError } from '../train/cli/sources_node.js';
import { Trainer } from '../train/trainer.js';
import {
  snakeName,
  TRAINING_ARGUMENT_FIELDS,
  TrainingArguments,
  TrainingArgumentsError,
  type TrainingArgumentsInit,
} from '../train/training_args.js';
import { DEMO_ID2LABEL, DEMO_SENTENCES, demoCorpus, type DemoExample } from './corpus.js';
import { buildDemoVocab } from './vocab.js';

/** The demo's model: DistilBERT's architecture, scaled down so it trains in minutes on a CPU. */
export const DEMO_MODEL = { dim: 64, n_layers: 2, n_heads: 4, hidden_dim: 128, max_position_embeddings: 64 } as const;

/** The demo's training recipe (any training flag given on the command line overrides it). */
export const DEMO_DEFAULTS: TrainingArgumentsInit = {
  outputDir: 'my_demo_model',
  learningRate: 3e-3,
  warmupRatio: 0.1,
  perDeviceTrainBatchSize: 16,
  perDeviceEvalBatchSize: 50,
  numTrainEpochs: 5,
  weightDecay: 0.01,
  evalStrategy: 'epoch',
  saveStrategy: 'epoch',
  saveTotalLimit: 2,
  loadBestModelAtEnd: true,
  loggingSteps: 5,
  seed: 42,
};

// Flags about the tutorial's model and data have no meaning for the demo, which brings its own.
const NOT_FOR_DEMO = [
  'model',
  'data',
  'train-file',
  'eval-file',
  'text-field',
  'label-field',
  'max-train-samples',
  'max-eval-samples',
  'max-length',
  'labels',
];

const kebab = (snake: string): string => snake.replace(/_/g, '-');

export const DEMO_HELP = `Usage: node dist/train.js --demo [training flags]

The built-in demo: a small DistilBERT (dim ${DEMO_MODEL.dim}, ${DEMO_MODEL.n_layers} layers) initialised from scratch and fine-tuned
with the Trainer on short movie reviews that ship with webtune; no download, a few minutes on a CPU.
It is also what \`node dist/train.js\` runs when the tutorial's model and data cannot be had (offline).
Defaults: --output-dir ${DEMO_DEFAULTS.outputDir} --learning-rate ${DEMO_DEFAULTS.learningRate} --num-train-epochs ${DEMO_DEFAULTS.numTrainEpochs} --warmup-ratio ${DEMO_DEFAULTS.warmupRatio} \\
  --per-device-train-batch-size ${DEMO_DEFAULTS.perDeviceTrainBatchSize} --seed ${DEMO_DEFAULTS.seed}; every training flag of \`node dist/train.js --help\` may override them
(--model, --data and the other data flags may not).
Example: node dist/train.js --demo --resume-from-checkpoint true
`;

/**
 * Demo flags (argv without --demo) → TrainingArguments (DEMO_DEFAULTS, overridden by the training flags given), or
 * undefined for --help.
 */
export function demoArguments(argv: readonly string[]): TrainingArguments | undefined {
  const { values, positionals } = parseFlags(argv, TRAIN_FLAGS);
  if (values.get('help')) return undefined;
  if (positionals.length)
    throw new UsageError(`unexpected argument "${positionals[0]}" (flags are written --name value)`);
  const foreign = NOT_FOR_DEMO.find((n) => values.has(n));
  if (foreign)
    throw new UsageError(
      `--demo trains on its built-in corpus: --${foreign} cannot be used with it (drop --demo to train on your ` +
        `own model and data)`,
    );
  const init: Record<string, unknown> = { ...DEMO_DEFAULTS };
  for (const f of TRAINING_ARGUMENT_FIELDS) {
    const v: FlagValue | undefined = values.get(kebab(snakeName(f.key)));
    if (v !== undefined) init[f.key] = v;
  }
  try {
    return new TrainingArguments(init as TrainingArgumentsInit);
  } catch (e) {
    if (e instanceof TrainingArgumentsError)
      throw new UsageError(`--${kebab(e.argument)}: ${e.message.replace(/^TrainingArguments: [a-z_0-9]+: /, '')}`);
    throw e;
  }
}

/**
 * True when `node dist/train.js` was run with no flags (or only --offline / --overwrite-output-dir), so an unreachable
 * model or dataset
 * falls back to the demo. With any other flag the user is shaping the tutorial's run: they get the error instead.
 */
export function mayFallBackToDemo(argv: readonly string[]): boolean {
  try {
    const { values, positionals } = parseFlags(argv, TRAIN_FLAGS);
    return positionals.length === 0 && [...values.keys()].every((k) => k === 'offline' || k === 'overwrite-output-dir');
  } catch {
    return false;
  }
}

/** The one paragraph printed before falling back: what was looked for, where, and how to point at local files. */
export function fallbackNotice(
  e: SourceUnavailableError,
  run: RunOptions,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const what = e.what === 'model' ? `the model "${e.requested}"` : `the dataset "${e.requested}"`;
  const offline = run.offline || offlineFromEnv(env);
  const endpoint = env.HF_ENDPOINT || 'https://huggingface.co';
  const hub = offline
    ? `the Hub was not tried (${run.offline ? '--offline' : 'HF_HUB_OFFLINE is set'})`
    : `the Hub (${endpoint}) could not be reached`;
  return [
    `train: ${what} is not available: webtune looked for it in the Hugging Face cache (${defaultCacheDir(env)}) ` +
      `and did not find it, and ${hub}.`,
    `To fine-tune the tutorial's model on IMDb without network, put local copies in place and point at them:`,
    `  node dist/train.js --model ./weights/distilbert-base-uncased --data path/to/imdb`,
    `(--model: a Hugging Face model directory with config.json, model.safetensors and vocab.txt, see ` +
      `weights/README.md;`,
    `--data: a folder with train/test .jsonl, .csv, .tsv or .parquet files, or aclImdb's train/ and test/ folders;`,
    `or --train-file FILE --eval-file FILE). Meanwhile, here is the built-in demo instead: a small model trained from`,
    `scratch on movie reviews that ship with webtune, through the same Trainer, in a few minutes.`,
    '',
  ].join('\n');
}

/** Runs the demo → exit code (0 done, 1 runtime error, 2 usage, 130 Ctrl-C, 143 SIGTERM). Never throws. */
export async function runDemo(
  argv: readonly string[],
  io: TrainIO,
  options: { fallback?: boolean } = {},
): Promise<number> {
  let args: TrainingArguments | undefined;
  try {
    args = demoArguments(argv);
    if (!args) {
      io.stdout(DEMO_HELP);
      return 0;
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`train: ${e.message}\nRun "node dist/train.js --help" for the flags.\n`);
    return 2;
  }
  try {
    return await trainDemo(args, argv, io, options.fallback ?? false);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`train: ${e.message}\n`);
      return 2;
    }
    io.stderr(`train: demo failed: ${(e as Error).message ?? String(e)}\n`);
    if (process.env.WEBTUNE_DEBUG && e instanceof Error) io.stderr(`${e.stack}\n`);
    return 1;
  }
}

async function trainDemo(
  args: TrainingArguments,
  argv: readonly string[],
  io: TrainIO,
  fallback: boolean,
): Promise<number> {
  const started = performance.now();
  checkFlagCombinations(args);
  const previous = await checkOutputDir(args);
  const rt = await init();
  if (!fallback)
    io.stderr(`Adapter: ${rt.info.description}${rt.info.isSoftware ? ' (CPU software renderer: slow)' : ''}\n`);
  const { model, tokenizer, trainFeatures, evalFeatures } = prepareDemo(args, io);

  let trainer: Trainer | undefined;
  const interrupts = guardInterrupts(io);
  try {
    if (args.overwriteOutputDir && previous.length > 0) await clearPreviousRun(args.outputDir, previous);
    const progress = new ProgressReporter({
      write: io.stderr,
      isTTY: io.stderrIsTTY,
      evalsPlanned: Math.ceil(args.numTrainEpochs),
    });
    trainer = createCliTrainer({
      model,
      args,
      trainDataset: trainFeatures,
      evalDataset: evalFeatures,
      tokenizer,
      progress,
      interrupts,
      stderr: io.stderr,
    });
    const out = await trainer.train();
    if (out.stoppedEarly) {
      const ckpt = `${args.outputDir}/checkpoint-${out.globalStep}`;
      io.stderr(
        `train: stopped at step ${out.globalStep}; checkpoint written to ${ckpt}\nResume with:\n  ` +
          `${demoResumeCommand(argv, ckpt, scriptCommand('dist/train.js'))}\n`,
      );
      return interrupts.exitCode();
    }
    await trainer.saveModel();
    await trainer.saveState();
    await trainer.store.writeRoot(
      new Map([['training_curves.svg', new TextEncoder().encode(trainingCurvesSvg(trainer.state.logHistory))]]),
    );
    if (parseFlags(argv, TRAIN_FLAGS).values.get('onnx')) {
      const { written } = await exportOnnxToDirectory(resolve(args.outputDir), { overwrite: true });
      io.stderr(`ONNX: wrote ${written.join(', ')}\n`);
    }
    const accuracy = heldOutAccuracy(trainer);
    const outDir = resolve(args.outputDir);
    const classified = await classifyWith(outDir);
    const wall = (performance.now() - started) / 1000;
    io.stdout(
      demoSummary({
        accuracy,
        heldOut: evalFeatures.length,
        wall,
        outDir,
        outputArg: args.outputDir,
        classified,
        argv,
        lastCheckpoint: lastCheckpoint(trainer),
      }),
    );
    return 0;
  } finally {
    interrupts.release();
    trainer?.dispose();
    model.dispose();
  }
}

/** The corpus, its vocab and tokenizer, the tokenized splits and a freshly initialised model; prints what they are. */
function prepareDemo(args: TrainingArguments, io: TrainIO) {
  const { train, test } = demoCorpus();
  const vocab = buildDemoVocab(train.map((e) => e.text));
  const tokenizer = BertTokenizer.fromVocab(vocab.join('\n') + '\n', {
    modelMaxLength: DEMO_MODEL.max_position_embeddings,
  });
  const label2id = Object.fromEntries(Object.entries(DEMO_ID2LABEL).map(([id, name]) => [name, Number(id)]));
  const model = DistilBertForSequenceClassification.fromConfig(
    new DistilBertConfig({ ...DEMO_MODEL, vocab_size: vocab.length, id2label: DEMO_ID2LABEL, label2id }),
    { seed: args.seed },
  );
  const features = (xs: DemoExample[]) =>
    tokenizeDataset(
      tokenizer,
      { texts: xs.map((e) => e.text), labels: xs.map((e) => e.label) },
      DEMO_MODEL.max_position_embeddings,
    );
  const params = model.namedParameters().reduce((n, [, p]) => n + p.size, 0);
  io.stderr(
    `Demo: DistilBERT architecture (dim ${DEMO_MODEL.dim}, ${DEMO_MODEL.n_layers} layers, ${DEMO_MODEL.n_heads} ` +
      `heads, hidden ${DEMO_MODEL.hidden_dim}; ` +
      `${(params / 1e3).toFixed(0)}k parameters) initialised from scratch, a ${vocab.length}-token WordPiece ` +
      `vocab built from the corpus;\n` +
      `      ${train.length} short movie reviews written for webtune to train on, ${test.length} held out for ` +
      `evaluation; ` +
      `${args.numTrainEpochs} epochs, lr ${args.learningRate}, batch ${args.perDeviceTrainBatchSize}.\n`,
  );
  return { model, tokenizer, trainFeatures: features(train), evalFeatures: features(test) };
}

/** The held-out accuracy of the model that was saved (the best evaluation when the best model was loaded). */
function heldOutAccuracy(trainer: Trainer): number | undefined {
  const { state } = trainer;
  const evals = state.logHistory.filter((e) => 'eval_accuracy' in e);
  const best =
    state.bestModelCheckpoint && trainer.args.loadBestModelAtEnd
      ? evals.find((e) => e.step === state.bestGlobalStep)
      : evals.at(-1);
  return (best ?? evals.at(-1))?.eval_accuracy;
}

/** The newest checkpoint folder in the output directory (undefined when none was saved, e.g. --save-strategy no). */
function lastCheckpoint(trainer: Trainer): string | undefined {
  const dir = trainer.args.outputDir;
  const steps = (existsSync(dir) ? readdirSync(dir) : [])
    .map((n) => /^checkpoint-(\d+)$/.exec(n)?.[1])
    .filter((s) => s !== undefined)
    .map(Number);
  return steps.length ? `${dir}/checkpoint-${Math.max(...steps)}` : undefined;
}

/** Loads the saved directory with the predictor (as dist/predict.js does) and classifies the demo sentences. */
async function classifyWith(dir: string): Promise<Array<{ text: string; label: string; score: number }>> {
  const classifier = await pipeline('sentiment-analysis', dir);
  try {
    const results = await classifier.classify(DEMO_SENTENCES);
    return DEMO_SENTENCES.map((text, i) => ({ text, label: results[i]![0]!.label, score: results[i]![0]!.score }));
  } finally {
    classifier.dispose();
  }
}

interface Summary {
  accuracy: number | undefined;
  heldOut: number;
  wall: number;
  outDir: string;
  outputArg: string;
  classified: Array<{ text: string; label: string; score: number }>;
  argv: readonly string[];
  lastCheckpoint: string | undefined;
}

/** The end of a demo run: accuracy, the predictor's answers, where the model went and the next commands. */
export function demoSummary(s: Summary, root: RepoRoot = repoRoot()): string {
  const acc = s.accuracy === undefined ? 'not measured' : s.accuracy.toFixed(4);
  // Paths the commands can use as typed: relative when run from the repository root, else absolute.
  const model = shellQuote(root.isCwd ? s.outputArg : s.outDir);
  const node = (script: string) => scriptCommand(script, root);
  return [
    '',
    `Demo done in ${formatDuration(s.wall)}. Held-out accuracy: ${acc} on ${s.heldOut} reviews the model never ` +
      `trained on (chance: 0.50).`,
    'The saved model, loaded by the predictor:',
    ...s.classified.map((c) => `  ${c.label.padEnd(8)} ${c.score.toFixed(3)}  ${JSON.stringify(c.text)}`),
    '',
    `Model saved to ${s.outDir} (model.safetensors, config.json, vocab.txt and tokenizer files; ` +
      `training_curves.svg, trainer_state.json)`,
    '',
    'Next:',
    `  ${node('dist/predict.js')} --model ${model} --text "I wanted to love it, but it drags."`,
    `  ${root.isCwd ? '' : `cd ${shellQuote(root.dir)} && `}npm run demo -- --model ${model}`,
    ...(s.lastCheckpoint
      ? [`  ${demoResumeCommand(s.argv, s.lastCheckpoint, node('dist/train.js'))}    (to continue from a checkpoint)`]
      : []),
    '',
  ].join('\n');
}

interface RepoRoot {
  /** The directory holding dist/train.js's dist/. */
  dir: string;
  /** Whether that is the working directory (then `node dist/…` works as typed). */
  isCwd: boolean;
}

/** `node <script>`, with the script's absolute path unless the run was started from the repository root. */
function scriptCommand(script: string, root: RepoRoot = repoRoot()): string {
  return `node ${shellQuote(root.isCwd ? script : join(root.dir, script))}`;
}

/** Where this CLI was started from: the script is <root>/dist/train.js. */
function repoRoot(): RepoRoot {
  try {
    const script = realpathSync(process.argv[1] ?? '');
    const dir = dirname(dirname(script));
    return { dir, isCwd: relative(process.cwd(), script) === join('dist', 'train.js') };
  } catch {
    return { dir: process.cwd(), isCwd: true };
  }
}

/** The command line that resumes the demo: --demo, the same flags, --resume-from-checkpoint `checkpoint`. */
export function demoResumeCommand(argv: readonly string[], checkpoint: string, node = 'node dist/train.js'): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--demo') continue;
    if (/^--resume[-_]from[-_]checkpoint(=|$)/.test(a)) {
      if (!a.includes('=') && i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) i++;
      continue;
    }
    kept.push(a);
  }
  return [node, ...['--demo', ...kept, '--resume-from-checkpoint', checkpoint].map(shellQuote)].join(' ');
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
