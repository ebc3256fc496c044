// What a training run checks before any model or data work, so that a mistake costs seconds, not a run: the output
// directory (usable, not the model's, free space, no earlier run overwritten unasked), the metric that picks the
// best checkpoint, flags that contradict each other, and --max-length against the model. Every failure is a
// UsageError naming the flag (exit 2). Node-only.
import { constants, promises as fs } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../../util/args.js';
import type { TrainingArguments } from '../training_args.js';

/** What a run writes at the root of its output directory (the final model, tokenizer and run records). */
const RUN_FILES = [
  'config.json',
  'model.safetensors',
  'vocab.txt',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'training_args.json',
  'trainer_state.json',
  'training_curves.svg',
];
const RUN_ENTRY = /^checkpoint-\d+$|\.tmp-/;

/** The evaluation metrics of the CLI's runs (classificationMetrics plus the loss), without the "eval_" prefix. */
export const CLI_METRICS = ['loss', 'accuracy', 'f1'];

/** Flag checks that need no file at all. */
export function checkFlagCombinations(args: TrainingArguments): void {
  const key = args.bestMetricKey;
  const metric = key?.replace(/^eval_/, '');
  if (metric !== undefined && !CLI_METRICS.includes(metric)) {
    throw new UsageError(
      `--metric-for-best-model: "${args.metricForBestModel}" is not a metric of this run's evaluation; expected ` +
        `one of ${CLI_METRICS.join(', ')}`,
    );
  }
  if (args.saveStrategy === 'best' && args.evalStrategy === 'no') {
    throw new UsageError(
      '--save-strategy best saves when an evaluation finds a new best, but --eval-strategy is "no": give ' +
        '--eval-strategy steps or epoch',
    );
  }
  const resume = args.resumeFromCheckpoint;
  if (args.overwriteOutputDir && resume !== undefined && resume !== false) {
    const inside = resume === true || isInside(resolve(String(resume)), resolve(args.outputDir));
    if (inside) {
      throw new UsageError(
        `--overwrite-output-dir deletes the checkpoints in ${args.outputDir} that --resume-from-checkpoint ` +
          `${resume} would continue from: give one of them`,
      );
    }
  }
}

/**
 * The output directory: usable (a directory, or creatable, and writable), not the model's directory or inside it
 * (nor the reverse), and holding no earlier run unless --overwrite-output-dir or --resume-from-checkpoint says
 * what to do with it. → the earlier run's entries (what --overwrite-output-dir will delete).
 */
export async function checkOutputDir(args: TrainingArguments, modelDir?: string): Promise<string[]> {
  const out = resolve(args.outputDir);
  const flag = `--output-dir ${args.outputDir}`;
  const existing = await nearestExisting(out, flag);
  if (modelDir !== undefined) await checkNotModelDir(existing, modelDir, flag);
  try {
    await fs.access(existing.path, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new UsageError(
      `${flag}: cannot write in ${existing.path} (${(e as NodeJS.ErrnoException).code}): choose a directory you ` +
        `can write to`,
    );
  }
  const previous = existing.path === out ? await previousRun(out) : [];
  const resume = args.resumeFromCheckpoint;
  if (resume === true && !previous.some((e) => /^checkpoint-\d+$/.test(e))) {
    throw new UsageError(`--resume-from-checkpoint true: ${out} holds no checkpoint-N folder to resume from`);
  }
  if (typeof resume === 'string' && !(await isDirectory(resolve(resume)))) {
    throw new UsageError(`--resume-from-checkpoint ${resume}: no such checkpoint directory`);
  }
  if (previous.length > 0 && !args.overwriteOutputDir && (resume === undefined || resume === false)) {
    const shown = previous.length > 6 ? [...previous.slice(0, 6), `… ${previous.length - 6} more`] : previous;
    throw new UsageError(
      `${flag} holds an earlier run (${shown.join(', ')}). Give --resume-from-checkpoint true to continue it, ` +
        '--overwrite-output-dir to replace it (its checkpoints and model files are deleted first), or another ' +
        '--output-dir',
    );
  }
  return previous;
}

/** --overwrite-output-dir: deletes the earlier run's entries (checkpoints, temporaries, model and run files) only. */
export async function clearPreviousRun(outputDir: string, entries: readonly string[]): Promise<void> {
  for (const name of entries) await fs.rm(join(resolve(outputDir), name), { recursive: true, force: true });
}

/** --max-length against the model's position table (config.json's max_position_embeddings). */
export function checkMaxLength(maxLength: number | undefined, maxPositions: number, configPath: string): void {
  if (maxLength !== undefined && maxLength > maxPositions) {
    throw new UsageError(
      `--max-length ${maxLength} is more than the ${maxPositions} tokens the model's positions hold ` +
        `(max_position_embeddings in ${configPath}); give at most ${maxPositions}`,
    );
  }
  if (maxLength !== undefined && maxLength < 2)
    throw new UsageError(`--max-length ${maxLength} leaves no room for [CLS] and [SEP]; give at least 2`);
}

/** --model given as a path must be a directory. */
export async function checkModelPath(model: string): Promise<void> {
  const st = await fs.stat(model).catch(() => undefined);
  if (st && !st.isDirectory()) {
    throw new UsageError(
      `--model ${model} is a file; expected a model directory (config.json, model.safetensors, vocab.txt or ` +
        `tokenizer.json)`,
    );
  }
}

/**
 * Free space where the output goes, against what the run must write: the final model, and (when saving) a
 * checkpoint (model + AdamW's two moments). `freed`: bytes --overwrite-output-dir deletes first.
 */
export async function checkFreeSpace(args: TrainingArguments, modelBytes: number, freed = 0): Promise<void> {
  const existing = (await nearestExisting(resolve(args.outputDir), `--output-dir ${args.outputDir}`)).path;
  const st = await fs.statfs(existing).catch(() => undefined);
  if (!st) return; // not every platform reports it
  const free = st.bavail * st.bsize + freed;
  const need = modelBytes * (args.saveStrategy === 'no' ? 1 : 4) + (1 << 20);
  if (free < need) {
    const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
    throw new UsageError(
      `--output-dir ${args.outputDir}: ${mb(free)} free on its file system, but the run writes at least ${mb(need)} ` +
        `(the model is ${mb(modelBytes)}; a checkpoint adds AdamW's two moments): free some space or choose ` +
        `another --output-dir`,
    );
  }
}

/** Bytes held by `entries` of `dir` (what clearing an earlier run frees). */
export async function entriesBytes(dir: string, entries: readonly string[]): Promise<number> {
  let total = 0;
  const walk = async (p: string): Promise<void> => {
    const st = await fs.lstat(p).catch(() => undefined);
    if (!st) return;
    if (!st.isDirectory()) total += st.size;
    else for (const n of await fs.readdir(p)) await walk(join(p, n));
  };
  for (const e of entries) await walk(join(resolve(dir), e));
  return total;
}

async function nearestExisting(path: string, flag: string): Promise<{ path: string; rest: string }> {
  let p = path;
  for (;;) {
    // ENOTDIR: a component above is a file; walking up finds it and says so.
    const st = await fs
      .stat(p)
      .catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' || e.code === 'ENOTDIR' ? undefined : e));
    if (st instanceof Error) throw new UsageError(`${flag}: cannot use ${p} (${(st as NodeJS.ErrnoException).code})`);
    if (st) {
      if (!st.isDirectory()) throw new UsageError(`${flag}: ${p} is a file, not a directory`);
      return { path: p, rest: relative(p, path) };
    }
    const up = dirname(p);
    if (up === p) return { path: p, rest: relative(p, path) };
    p = up;
  }
}

async function checkNotModelDir(
  existing: { path: string; rest: string },
  modelDir: string,
  flag: string,
): Promise<void> {
  const model = await fs.realpath(modelDir).catch(() => undefined);
  if (model === undefined) return;
  const target = join(await fs.realpath(existing.path), existing.rest);
  if (target === model || isInside(target, model)) {
    throw new UsageError(
      `${flag} is ${target === model ? 'the model directory' : 'inside the model directory'} (--model ` +
        `${modelDir}): the run would overwrite the files it trains from; choose another --output-dir`,
    );
  }
  if (isInside(model, target)) {
    throw new UsageError(
      `${flag} holds the model directory (--model ${modelDir}): replacing an earlier run there would delete the ` +
        `model; choose another --output-dir`,
    );
  }
}

async function previousRun(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => RUN_ENTRY.test(n) || RUN_FILES.includes(n)).sort();
}

async function isDirectory(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

function isInside(child: string, parent: string): boolean {
  return child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}
