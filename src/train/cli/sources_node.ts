// Finding the CLI's model and data (local paths first, then the HF cache, then the Hub). Node-only (tokenizing
// them is src/data/tokenize.ts). When something cannot be had offline, a SourceUnavailableError says which and why;
// the CLI prints the local alternatives (see unavailableMessage in src/cli/train.ts).
import { DatasetError, type TextClassificationDataset } from '../../data/types.js';
import { loadDataset, type LoadDatasetOptions } from '../../data/read_node.js';
import { HubUnavailableError, resolveModelDir } from '../../io/hub.js';
import type { RunOptions } from './flags.js';

/** The model or the data is neither local nor in the HF cache, and the Hub cannot be reached. */
export class SourceUnavailableError extends Error {
  override readonly name = 'SourceUnavailableError';
  constructor(
    readonly what: 'model' | 'data',
    readonly requested: string,
    override readonly cause: Error,
  ) {
    super(cause.message);
  }
}

export interface LoadedData {
  train: TextClassificationDataset;
  eval?: TextClassificationDataset;
}

/** --model → a local directory with config.json and weights. */
export async function findModel(run: RunOptions): Promise<string> {
  try {
    return await resolveModelDir(run.model, { offline: run.offline || undefined });
  } catch (e) {
    throw unavailable('model', run.model, e);
  }
}

/** --data / --train-file / --eval-file → datasets (the eval set only when `needEval`). */
export async function loadData(run: RunOptions, seed: number, needEval: boolean): Promise<LoadedData> {
  const common: LoadDatasetOptions = {
    textField: run.textField,
    labelField: run.labelField,
    hub: { offline: run.offline || undefined },
  };
  // A subset is a seeded random sample: IMDb files are sorted by label, so the first N would all be negative.
  const sample = (n: number | undefined): LoadDatasetOptions => (n === undefined ? {} : { maxSamples: n, shuffleSeed: seed });
  const trainSpec = run.trainFile ?? run.data!;
  const train = await load(trainSpec, { ...common, ...sample(run.maxTrainSamples), split: 'train' });
  if (!needEval) return { train };
  if (run.evalFile) return { train, eval: await load(run.evalFile, { ...common, ...sample(run.maxEvalSamples), split: 'test' }) };
  if (!run.data) {
    throw new DatasetError(trainSpec, undefined, 'no evaluation data: give --eval-file, or --eval-strategy no (and --load-best-model-at-end false)');
  }
  // The tutorial evaluates on imdb["test"]; other datasets may only have a validation split.
  let firstError: unknown;
  for (const split of ['test', 'validation']) {
    try {
      return { train, eval: await load(run.data, { ...common, ...sample(run.maxEvalSamples), split }) };
    } catch (e) {
      if (!(e instanceof DatasetError) || !/no "\w+" split/.test(e.message)) throw e;
      firstError ??= e;
    }
  }
  throw new DatasetError(
    run.data,
    undefined,
    `no test or validation split for evaluation: give --eval-file, or --eval-strategy no (and --load-best-model-at-end false)`,
  );
}

async function load(spec: string, options: LoadDatasetOptions): Promise<TextClassificationDataset> {
  try {
    return await loadDataset(spec, options);
  } catch (e) {
    throw unavailable('data', spec, e);
  }
}

function unavailable(what: 'model' | 'data', requested: string, e: unknown): unknown {
  if (e instanceof HubUnavailableError) return new SourceUnavailableError(what, requested, e);
  // No network at all: fetch fails with a TypeError (ENOTFOUND, ECONNREFUSED) before the cache fallback is known.
  if (e instanceof TypeError && /fetch failed/i.test(e.message)) return new SourceUnavailableError(what, requested, e);
  // A path that does not exist (and is no Hub id either).
  if (e instanceof Error && /neither an existing path nor a Hugging Face Hub id/.test(e.message)) return new SourceUnavailableError(what, requested, e);
  return e;
}

/** Number of classes and their names (id order): --labels, else NEGATIVE/POSITIVE for two (the tutorial), else the dataset's. */
export function labelSet(run: RunOptions, data: LoadedData): string[] {
  const maxLabel = Math.max(...data.train.labels, ...(data.eval?.labels ?? []));
  const count = Math.max(maxLabel + 1, data.train.labelNames?.length ?? 0, 2);
  if (run.labels) {
    if (run.labels.length < count) {
      throw new DatasetError(data.train.source, undefined, `--labels names ${run.labels.length} classes but the data has label ids up to ${maxLabel}`);
    }
    return run.labels;
  }
  if (count === 2) return ['NEGATIVE', 'POSITIVE'];
  return Array.from({ length: count }, (_, i) => data.train.labelNames?.[i] ?? `LABEL_${i}`);
}
