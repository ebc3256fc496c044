// Finding the CLI's model and data (local paths first, then the HF cache, then the Hub). Node-only (tokenizing
// them is src/data/tokenize.ts). When something cannot be had offline, a SourceUnavailableError says which and why;
// the CLI prints the local alternatives (see unavailableMessage in src/cli/train.ts).
import { DatasetError, type TextClassificationDataset } from '../../data/types.js';
import { sampleDataset } from '../../data/dataset.js';
import { loadDataset, type LoadDatasetOptions } from '../../data/read_node.js';
import { UsageError } from '../../util/args.js';
import {
  DEFAULT_LABELS,
  headConflict,
  namesBeforeData,
  namesFromData,
  type LabelPlan,
  type ModelLabels,
} from './label_plan.js';
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
  /** The run's one label mapping: train and eval ids index these names, and config.json gets them. */
  labels: LabelPlan;
}

/** --model → a local directory with config.json and weights. */
export async function findModel(run: RunOptions): Promise<string> {
  try {
    return await resolveModelDir(run.model, { offline: run.offline || undefined });
  } catch (e) {
    throw unavailable('model', run.model, e);
  }
}

/**
 * --data / --train-file / --eval-file → datasets (the eval set only when `needEval`) and the run's label mapping
 * (label_plan.ts), decided on the whole training file before any sampling, as HF encodes labels before select().
 * A label outside the mapping is a DatasetError naming the file and line.
 */
export async function loadData(
  run: RunOptions,
  seed: number,
  needEval: boolean,
  model: ModelLabels,
): Promise<LoadedData> {
  const fixed = namesBeforeData(run.labels, model);
  const whole = await loadTrainFile(run, fixed);
  const labels = fixed ?? (await labelsFromTrain(run, whole, model));
  const conflict = headConflict(labels, model);
  if (conflict) throw new UsageError(conflict);
  // A subset is a seeded random sample: IMDb files are sorted by label, so the first N would all be negative.
  const sample = (n: number | undefined) => (n === undefined ? {} : { maxSamples: n, shuffleSeed: seed });
  const train = sampleDataset(whole, sample(run.maxTrainSamples));
  if (!needEval) return { train, labels };
  return { train, eval: sampleDataset(await loadEvalFile(run, labels), sample(run.maxEvalSamples)), labels };
}

function readOptions(run: RunOptions, plan: LabelPlan | undefined, split: string): LoadDatasetOptions {
  return {
    textField: run.textField,
    textPairField: run.textPairField,
    labelField: run.labelField,
    hub: { offline: run.offline || undefined },
    labelNames: plan?.names,
    split,
  };
}

async function loadTrainFile(run: RunOptions, plan: LabelPlan | undefined): Promise<TextClassificationDataset> {
  return load(run.trainFile ?? run.data!, readOptions(run, plan, 'train'), plan);
}

/** Numeric ids and a trained head of k outputs: the head's k classes, and an id past them names its line. */
async function labelsFromTrain(
  run: RunOptions,
  whole: TextClassificationDataset,
  model: ModelLabels,
): Promise<LabelPlan> {
  const plan = namesFromData(whole);
  const k = model.headOutputs;
  if (k === undefined || whole.labelNames) return plan;
  const names = k === 2 ? [...DEFAULT_LABELS] : Array.from({ length: k }, (_, i) => `LABEL_${i}`);
  const head: LabelPlan = { names, source: `the classifier head of ${model.weightsPath} (${k} classes)` };
  if (plan.names.length > k) await loadTrainFile(run, head); // throws: the first line whose id is k or more
  return head;
}

async function loadEvalFile(run: RunOptions, plan: LabelPlan): Promise<TextClassificationDataset> {
  if (run.evalFile) return load(run.evalFile, readOptions(run, plan, 'test'), plan);
  const trainSpec = run.trainFile ?? run.data!;
  if (!run.data) {
    throw new DatasetError(
      trainSpec,
      undefined,
      'no evaluation data: give --eval-file, or --eval-strategy no (and --load-best-model-at-end false)',
    );
  }
  // The tutorial evaluates on imdb["test"]; other datasets may only have a validation split.
  for (const split of ['test', 'validation']) {
    try {
      return await load(run.data, readOptions(run, plan, split), plan);
    } catch (e) {
      if (!(e instanceof DatasetError) || !/no "\w+" split/.test(e.message)) throw e;
    }
  }
  throw new DatasetError(
    run.data,
    undefined,
    `no test or validation split for evaluation: give --eval-file, or --eval-strategy no (and ` +
      `--load-best-model-at-end false)`,
  );
}

async function load(
  spec: string,
  options: LoadDatasetOptions,
  plan: LabelPlan | undefined,
): Promise<TextClassificationDataset> {
  try {
    return await loadDataset(spec, options);
  } catch (e) {
    // A label outside the run's classes: say where the classes came from, and how to change them.
    if (plan && e instanceof DatasetError && /label set/.test(e.detail)) {
      throw new DatasetError(
        e.file,
        e.line,
        `${e.detail}; the classes come from ` +
          `${plan.source}${plan.source === '--labels' ? '' : ' (give --labels to name them)'}`,
        e.unit,
      );
    }
    throw unavailable('data', spec, e);
  }
}

function unavailable(what: 'model' | 'data', requested: string, e: unknown): unknown {
  if (e instanceof HubUnavailableError) return new SourceUnavailableError(what, requested, e);
  // No network at all: fetch fails with a TypeError (ENOTFOUND, ECONNREFUSED) before the cache fallback is known.
  if (e instanceof TypeError && /fetch failed/i.test(e.message)) return new SourceUnavailableError(what, requested, e);
  // A path that does not exist (and is no Hub id either).
  if (e instanceof Error && /neither an existing path nor a Hugging Face Hub id/.test(e.message))
    return new SourceUnavailableError(what, requested, e);
  return e;
}
