// `node dist/train.js`: the Hugging Face text-classification tutorial (DistilBERT on IMDb with Trainer) on WebGPU.
// Prints the adapter and a run-time estimate, trains with progress on stderr, writes checkpoints, the final model,
// trainer_state.json and training_curves.svg, then prints the next commands. Exit codes: 0 done, 1 runtime error,
// 2 usage error (also everything checked before training: output dir, labels, lengths), 130 Ctrl-C and 143 SIGTERM
// (each writes a checkpoint first).
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AutoModelForSequenceClassification,
  configure,
  init,
  quietDawnNotices,
  runtime,
  shutdown,
  type SequenceClassificationModel,
} from '../index.js';
import { AutoTokenizer, type Tokenizer } from '../tokenizers/index.js';
import { parseFlags, UsageError } from '../util/args.js';
import { batches } from '../data/batches.js';
import { shuffledIndices } from '../data/shuffle.js';
import { latestCheckpoint } from '../train/checkpoint.js';
import { trainingCurvesSvg } from '../train/curves_svg.js';
import { Trainer } from '../train/trainer.js';
import type { TrainingArguments } from '../train/training_args.js';
import { buildOptions, helpText, TRAIN_FLAGS, type RunOptions } from '../train/cli/flags.js';
import {
  batchFlops,
  estimateSeconds,
  measureMatmulRate,
  suggestSmallerRun,
  type ModelShape,
} from '../train/cli/estimate.js';
import { formatDuration, ProgressReporter } from '../train/cli/progress.js';
import { guardInterrupts, type StopSignal } from '../train/cli/interrupt.js';
import type { TrainIO } from '../train/cli/train_io.js';
import { createCliTrainer } from '../train/cli/cli_trainer.js';
import { findModel, loadData, SourceUnavailableError } from '../train/cli/sources_node.js';
import { tokenizeDataset } from '../data/tokenize.js';
import { describeLabels } from '../train/cli/label_plan.js';
import { probeModelDir } from '../train/cli/model_probe_node.js';
import {
  checkFlagCombinations,
  checkFreeSpace,
  checkMaxLength,
  checkModelPath,
  checkOutputDir,
  clearPreviousRun,
  entriesBytes,
} from '../train/cli/preflight_node.js';
import { checkVocabFits } from '../pipeline/text_classifier.js';
import type { CollatorFeature } from '../data/collator.js';
import { fallbackNotice, mayFallBackToDemo, runDemo } from '../demo/run_demo.js'; // [issue 8: built-in demo]
import { exportOnnxToDirectory } from '../export/export_node.js';

export function nodeIO(): TrainIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    onInterrupt: (h) => {
      const signals: StopSignal[] = ['SIGINT', 'SIGTERM'];
      const handlers = signals.map((sig) => [sig, () => h(sig)] as const);
      for (const [sig, f] of handlers) process.on(sig, f);
      return () => handlers.forEach(([sig, f]) => void process.off(sig, f));
    },
    exit: (code) => process.exit(code),
  };
}

/** Runs the CLI on `argv` (without node and the script) → exit code. Never throws. */
export async function runTrain(argv: readonly string[], io: TrainIO = nodeIO()): Promise<number> {
  // [issue 8: built-in demo] `--demo` trains the built-in demo (src/demo) instead of the tutorial's model and data.
  if (argv.includes('--demo'))
    return runDemo(
      argv.filter((a) => a !== '--demo'),
      io,
    );
  let run: RunOptions;
  let args: TrainingArguments;
  try {
    const parsed = parseFlags(argv, TRAIN_FLAGS);
    if (parsed.positionals.length)
      throw new UsageError(`unexpected argument "${parsed.positionals[0]}" (flags are written --name value)`);
    if (parsed.values.get('help')) {
      io.stdout(helpText());
      return 0;
    }
    ({ run, args } = buildOptions(parsed.values));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`train: ${e.message}\nRun "node dist/train.js --help" for the flags.\n`);
    return 2;
  }
  try {
    return await train(run, args, argv, io);
  } catch (e) {
    if (e instanceof SourceUnavailableError) return sourcesUnavailable(e, run, io, argv);
    if (e instanceof UsageError) {
      io.stderr(`train: ${e.message}\n`);
      return 2;
    }
    io.stderr(`train: error: ${(e as Error).message ?? String(e)}\n`);
    if (process.env.WEBTUNE_DEBUG && e instanceof Error) io.stderr(`${e.stack}\n`);
    return 1;
  }
}

/**
 * The one place that handles "model or data cannot be had" (not local, not cached, no network): prints the exact
 * local alternatives and returns the exit code. A built-in demo fallback can take over here.
 */
export function sourcesUnavailable(
  e: SourceUnavailableError,
  run: RunOptions,
  io: TrainIO,
  argv: readonly string[] = [],
): number | Promise<number> {
  // [issue 8: built-in demo] With no flags (the tutorial's model and data) and those not reachable, say so in one
  // paragraph and run the built-in demo instead of stopping.
  if (mayFallBackToDemo(argv)) {
    io.stderr(fallbackNotice(e, run));
    return runDemo(argv, io, { fallback: true });
  }
  const what = e.what === 'model' ? `the model "${e.requested}"` : `the dataset "${e.requested}"`;
  const isPath = /^[.~/]|[\\]/.test(e.requested) || e.requested.split('/').length > 2;
  const why = isPath
    ? 'no such file or directory'
    : 'it is not in the Hugging Face cache and the Hub cannot be reached';
  const local = (p: string | undefined, fallback: string): string =>
    p !== undefined && existsSync(p) ? shellQuote(p) : fallback;
  io.stderr(
    [
      `train: cannot load ${what}: ${why}.`,
      `  (${e.cause.message.split('\n')[0]})`,
      '',
      'Use local copies instead:',
      `  node dist/train.js --model ${local(run.model, './weights/distilbert-base-uncased')} --data ${local(run.data, 'path/to/imdb')}`,
      '  --model: a Hugging Face model directory (config.json, model.safetensors, vocab.txt); see weights/README.md',
      '  --data:  a folder with train.jsonl and test.jsonl (or .csv/.tsv/.parquet, or the aclImdb train/ and test/ folders),',
      '           or --train-file FILE --eval-file FILE',
      'Or download once with network access: huggingface-cli download distilbert/distilbert-base-uncased; huggingface-cli download --repo-type dataset stanfordnlp/imdb',
      '',
    ].join('\n'),
  );
  return 1;
}

/** Everything a run needs, loaded after the up-front checks and before the first step. */
interface Prepared {
  model: SequenceClassificationModel;
  tokenizer: Tokenizer;
  trainFeatures: CollatorFeature[];
  evalFeatures?: CollatorFeature[];
  /** The earlier run's entries that --overwrite-output-dir deletes once loading succeeded. */
  previous: string[];
}

/**
 * The checks that need no model or data work (exit 2, naming the flag), then model, data and labels. Checks that
 * need the files (vocab against vocab_size, labels against the head, finite weights) run here too, before any step.
 */
async function prepare(run: RunOptions, args: TrainingArguments, io: TrainIO): Promise<Prepared> {
  checkFlagCombinations(args);
  await checkModelPath(run.model);
  await checkOutputDir(args, existsSync(run.model) ? run.model : undefined);
  const modelDir = await findModel(run);
  const probe = await probeModelDir(modelDir);
  checkMaxLength(run.maxLength, probe.maxPositions, probe.configPath);
  const previous = await checkOutputDir(args, modelDir);
  await checkFreeSpace(
    args,
    probe.savedBytes,
    args.overwriteOutputDir ? await entriesBytes(args.outputDir, previous) : 0,
  );

  const data = await loadData(run, args.dataSeed ?? args.seed, args.evalStrategy !== 'no', probe);
  const names = data.labels.names;
  const tokenizer = await AutoTokenizer.fromPretrained(modelDir);
  checkVocabFits(tokenizer.vocabSize, probe.vocabSize, `the tokenizer in ${modelDir}`, probe.configPath);
  const rt = await init();
  configure({ attentionKernel: run.attention });
  io.stderr(`Adapter: ${rt.info.description}${rt.info.isSoftware ? ' (CPU software renderer: slow)' : ''}\n`);
  io.stderr(describeLabels(data.labels, data.train));
  const model = await AutoModelForSequenceClassification.fromPretrained(modelDir, {
    numLabels: names.length,
    id2label: Object.fromEntries(names.map((n, i) => [i, n])),
    label2id: Object.fromEntries(names.map((n, i) => [n, i])),
    seed: args.seed,
    onWarning: (m) => io.stderr(`${m}\n`),
  });
  if (model.nonFiniteWeights.length > 0) {
    model.dispose();
    throw new Error(
      `${probe.weightsPath} holds non-finite weights (${model.nonFiniteWeights.map((w) => w.name).join(', ')}): training from them can only give a NaN loss`,
    );
  }
  const maxLength = run.maxLength ?? Math.min(tokenizer.modelMaxLength, model.maxSequenceLength);
  io.stderr(
    `Model: ${modelDir}\nData: ${data.train.texts.length} training examples${data.train.textPairs ? ' (sentence pairs)' : ''} (${data.train.source})` +
      (data.eval ? `, ${data.eval.texts.length} evaluation examples (${data.eval.source})` : '') +
      `; max length ${maxLength}\n`,
  );
  const trainFeatures = tokenizeDataset(tokenizer, data.train, maxLength);
  const evalFeatures = data.eval ? tokenizeDataset(tokenizer, data.eval, maxLength) : undefined;
  return { model, tokenizer, trainFeatures, evalFeatures, previous };
}

async function train(run: RunOptions, args: TrainingArguments, argv: readonly string[], io: TrainIO): Promise<number> {
  let trainer: Trainer | undefined;
  const interrupts = guardInterrupts(io);
  try {
    const { model, tokenizer, trainFeatures, evalFeatures, previous } = await prepare(run, args, io);
    const outDir = resolve(args.outputDir);
    if (args.overwriteOutputDir && previous.length > 0) {
      await clearPreviousRun(args.outputDir, previous);
      io.stderr(`Replaced the earlier run in ${outDir} (--overwrite-output-dir): deleted ${previous.join(', ')}\n`);
    }
    const progress = new ProgressReporter({ write: io.stderr, isTTY: io.stderrIsTTY });
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
    await printEstimate(trainer, trainFeatures, evalFeatures, model, progress, io);
    const out = await trainer.train();
    if (out.stoppedEarly) {
      const ckpt = `${args.outputDir}/checkpoint-${out.globalStep}`;
      io.stderr(
        `train: stopped at step ${out.globalStep}; checkpoint written to ${ckpt}\nResume with:\n  ${resumeCommand(argv, ckpt)}\n`,
      );
      return interrupts.exitCode();
    }
    await trainer.saveModel();
    await trainer.saveState();
    await trainer.store.writeRoot(
      new Map([['training_curves.svg', new TextEncoder().encode(trainingCurvesSvg(trainer.state.logHistory))]]),
    );
    if (run.onnx)
      io.stderr(`ONNX: wrote ${(await exportOnnxToDirectory(outDir, { overwrite: true })).written.join(', ')}\n`);
    printSummary(trainer, outDir, await latestCheckpoint(trainer.store), argv, io);
    return 0;
  } catch (e) {
    if (!trainer || e instanceof UsageError) throw e;
    await explainFailure(e, trainer, argv, io);
    return 1;
  } finally {
    interrupts.release();
  }
}

/** After a failure mid-run: where the last good checkpoint is, and the command that resumes from it. */
async function explainFailure(e: unknown, trainer: Trainer, argv: readonly string[], io: TrainIO): Promise<void> {
  const latest = await latestCheckpoint(trainer.store).catch(() => undefined);
  const msg = (e as Error).message ?? String(e);
  io.stderr(`train: error: ${msg}\n`);
  if (process.env.WEBTUNE_DEBUG && e instanceof Error) io.stderr(`${e.stack}\n`);
  if (latest)
    io.stderr(
      `The last checkpoint is ${trainer.args.outputDir}/${latest}; once fixed, resume with:\n  ${resumeCommand(argv, `${trainer.args.outputDir}/${latest}`)}\n`,
    );
  else io.stderr('No checkpoint was written before the failure.\n');
}

async function printEstimate(
  trainer: Trainer,
  trainFeatures: CollatorFeature[],
  evalFeatures: CollatorFeature[] | undefined,
  model: SequenceClassificationModel,
  progress: ProgressReporter,
  io: TrainIO,
): Promise<void> {
  const { args } = trainer;
  const { dims } = model.body.spec;
  const shape: ModelShape = {
    nonEmbeddingParams: trainer.flopsPerToken() / 6,
    layers: dims.layers,
    dim: dims.hidden,
    hidden: dims.intermediate,
  };
  const lengths = (idx: number[], f: CollatorFeature[]): number[] => idx.map((i) => f[i]!.inputIds.length);
  const order = batches(shuffledIndices(trainFeatures.length, args.epochSeed(0)), args.perDeviceTrainBatchSize, {
    dropLast: args.dataloaderDropLast,
  });
  const trainFlops = batchFlops(
    shape,
    order.map((b) => lengths(b, trainFeatures)),
    true,
  );
  const evalOrder = evalFeatures
    ? batches(
        evalFeatures.map((_, i) => i),
        args.perDeviceEvalBatchSize,
      )
    : [];
  const evalFlops = evalFeatures
    ? batchFlops(
        shape,
        evalOrder.map((b) => lengths(b, evalFeatures)),
        false,
      )
    : 0;
  const updatesPerEpoch = Math.ceil(order.length / args.gradientAccumulationSteps);
  const maxSteps = args.maxSteps > 0 ? args.maxSteps : Math.ceil(args.numTrainEpochs * updatesPerEpoch);
  const epochs = maxSteps / updatesPerEpoch;
  const evals =
    args.evalStrategy === 'epoch'
      ? Math.ceil(epochs)
      : args.evalStrategy === 'steps'
        ? Math.floor(maxSteps / (args.evalSteps! < 1 ? Math.ceil(maxSteps * args.evalSteps!) : args.evalSteps!))
        : 0;
  progress.evalsPlanned = evals;
  const rate = await measureMatmulRate(shape);
  const est = estimateSeconds(trainFlops, epochs, evalFlops, evals, rate);
  io.stderr(
    `Estimated run time: ~${formatDuration(est.seconds)} (${maxSteps} steps of ${args.perDeviceTrainBatchSize * args.gradientAccumulationSteps} examples` +
      `${evals ? `, ${evals} evaluation${evals > 1 ? 's' : ''} of ${evalFeatures!.length} examples` : ''}; matmul ${(rate / 1e9).toFixed(1)} GFLOP/s)\n`,
  );
  if (runtime().info.isSoftware && est.seconds > 3600) {
    const s = suggestSmallerRun(
      shape,
      trainFeatures.map((f) => f.inputIds.length),
      epochs,
      rate,
    );
    io.stderr(
      [
        `WARNING: this adapter is a CPU software renderer and this run would take about ${formatDuration(est.seconds)}.`,
        'For a run of about 10 minutes, try:',
        `  --max-train-samples ${s.maxTrainSamples} --max-eval-samples ${s.maxEvalSamples} --max-length ${s.maxLength} --num-train-epochs ${s.numTrainEpochs}`,
        'Or use a machine with a GPU. Continuing; Ctrl-C writes a checkpoint you can resume from.',
        '',
      ].join('\n'),
    );
  }
}

function printSummary(
  trainer: Trainer,
  outDir: string,
  latest: string | undefined,
  argv: readonly string[],
  io: TrainIO,
): void {
  const { state, args } = trainer;
  const evals = state.logHistory.filter((e) => 'eval_loss' in e);
  const best = state.bestModelCheckpoint ? evals.find((e) => e.step === state.bestGlobalStep) : evals.at(-1);
  const lines = [''];
  if (best) {
    const metrics = Object.entries(best).filter(([k]) => k.startsWith('eval_') && !/_(runtime|per_second)$/.test(k));
    lines.push(
      `Evaluation${state.bestModelCheckpoint ? ` (best checkpoint, step ${best.step})` : ''}: ${metrics.map(([k, v]) => `${k.slice(5)} ${v.toFixed(4)}`).join(', ')}`,
    );
  }
  const dir = shellQuote(args.outputDir);
  lines.push(
    `Model saved to ${outDir} (model.safetensors, config.json, tokenizer files; training_curves.svg, trainer_state.json)`,
    '',
    'Next:',
    `  node dist/predict.js --model ${dir} --text "This movie was wonderful."`,
    `  npm run demo -- --model ${dir}`,
  );
  if (latest)
    lines.push(`  ${resumeCommand(argv, `${args.outputDir}/${latest}`)}    (to continue from the last checkpoint)`);
  lines.push('');
  io.stdout(lines.join('\n'));
}

/** The command line that resumes: the same flags, with --resume-from-checkpoint set to `checkpoint`. */
export function resumeCommand(argv: readonly string[], checkpoint: string): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^--resume[-_]from[-_]checkpoint(=|$)/.test(a)) {
      if (!a.includes('=') && i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) i++;
      continue;
    }
    kept.push(a);
  }
  return ['node', 'dist/train.js', ...kept, '--resume-from-checkpoint', checkpoint].map(shellQuote).join(' ');
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function isMain(): boolean {
  try {
    return (
      process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
}

if (isMain()) {
  quietDawnNotices();
  const code = await runTrain(process.argv.slice(2));
  shutdown();
  process.exit(code);
}
