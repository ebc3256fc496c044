// Format detection by file name, and whole-dataset operations (concat, select, sample) shared by the
// Node loader and the browser. Pure: bytes in, no file system.

import type { FileSource } from '../io/files.js';
import { parseDelimited } from './csv.js';
import { datasetOf } from './dataset_of.js';
import { parseJsonl } from './jsonl.js';
import { parseParquet } from './parquet.js';
import { shuffledIndices } from './shuffle.js';
import { DatasetError, type ParseOptions, type TextClassificationDataset } from './types.js';

export type DatasetFileFormat = 'jsonl' | 'csv' | 'tsv' | 'parquet';

export interface LoadOptions extends ParseOptions {
  /** Force the format instead of guessing it from the file extension. */
  format?: DatasetFileFormat;
  /** Shuffle with this seed before taking maxSamples (the tutorial's shuffle(seed).select(range(n))). */
  shuffleSeed?: number;
}

/** file name → its format from the extension (.jsonl/.ndjson/.json, .csv, .tsv, .parquet), else undefined. */
export function formatFromName(name: string): DatasetFileFormat | undefined {
  const lower = name.toLowerCase();
  if (/\.(jsonl|ndjson|json)$/.test(lower)) return 'jsonl';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tsv')) return 'tsv';
  if (lower.endsWith('.parquet')) return 'parquet';
  return undefined;
}

/** file bytes, its name (format from extension unless options.format) → dataset. maxSamples caps parsing; no shuffle here. */
export async function parseDataset(
  bytes: Uint8Array,
  name: string,
  options: LoadOptions = {},
): Promise<TextClassificationDataset> {
  const format = options.format ?? formatFromName(name);
  switch (format) {
    case 'jsonl':
      return parseJsonl(bytes, name, options);
    case 'csv':
      return parseDelimited(bytes, name, { ...options, delimiter: ',', quoted: true });
    case 'tsv':
      return parseDelimited(bytes, name, { ...options, delimiter: '\t', quoted: false });
    case 'parquet':
      return parseParquet(bytes, name, options);
    default:
      throw new DatasetError(
        name,
        undefined,
        'unknown dataset format: expected .jsonl, .json, .csv, .tsv or .parquet (or give format)',
      );
  }
}

/** Read `name` from a FileSource (browser: URL base or picked files) and parse it, then apply shuffleSeed/maxSamples. */
export async function loadDatasetFromSource(
  source: FileSource,
  name: string,
  options: LoadOptions = {},
): Promise<TextClassificationDataset> {
  const bytes = await source.readBytes(name);
  const ds = await parseDataset(bytes, source.describe(name), parseLimit(options));
  return sampleDataset(ds, options);
}

/** When shuffling, every row must be parsed before choosing; otherwise parsing can stop at maxSamples. */
export function parseLimit(options: LoadOptions): LoadOptions {
  return options.shuffleSeed === undefined ? options : { ...options, maxSamples: undefined };
}

/** dataset of N, indices [M] → dataset of M (rows copied by reference). */
export function selectExamples(ds: TextClassificationDataset, indices: ArrayLike<number>): TextClassificationDataset {
  const texts: string[] = new Array(indices.length);
  const labels: number[] = new Array(indices.length);
  const pairs = ds.textPairs;
  const textPairs: string[] | undefined = pairs ? new Array(indices.length) : undefined;
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    if (!Number.isInteger(j) || j < 0 || j >= ds.texts.length) {
      throw new Error(`selectExamples: index ${j} is outside the dataset (${ds.texts.length} examples, ${ds.source})`);
    }
    texts[i] = ds.texts[j]!;
    labels[i] = ds.labels[j]!;
    if (textPairs) textPairs[i] = pairs![j]!;
  }
  return textPairs ? { ...ds, texts, textPairs, labels } : { ...ds, texts, labels };
}

/** dataset of N → shuffled with shuffleSeed (if given), then the first maxSamples (if given). */
export function sampleDataset(
  ds: TextClassificationDataset,
  options: Pick<LoadOptions, 'maxSamples' | 'shuffleSeed'>,
): TextClassificationDataset {
  const n = ds.texts.length;
  const m = Math.min(n, options.maxSamples ?? n);
  if (options.shuffleSeed === undefined) {
    if (m === n) return ds;
    const head = { ...ds, texts: ds.texts.slice(0, m), labels: ds.labels.slice(0, m) };
    return ds.textPairs ? { ...head, textPairs: ds.textPairs.slice(0, m) } : head;
  }
  return selectExamples(ds, shuffledIndices(n, options.shuffleSeed).subarray(0, m));
}

/**
 * dataset of N, testSize (a fraction in (0, 1)), seed → a seeded shuffle cut in two: the first ceil(testSize·N)
 * rows are the test split, the rest the train split (HF's train_test_split rounding; our shuffle's order).
 */
export function trainTestSplit(
  ds: TextClassificationDataset,
  testSize: number,
  seed: number,
): { train: TextClassificationDataset; test: TextClassificationDataset } {
  const n = ds.texts.length;
  if (!(testSize > 0 && testSize < 1))
    throw new DatasetError(ds.source, undefined, `the held-out fraction must be in (0, 1), got ${testSize}`);
  const nTest = Math.ceil(testSize * n);
  if (nTest >= n) {
    throw new DatasetError(
      ds.source,
      undefined,
      `holding out ${testSize} of ${n} examples leaves none to train on; give more data or a smaller fraction`,
    );
  }
  const order = shuffledIndices(n, seed);
  return { train: selectExamples(ds, order.subarray(nTest)), test: selectExamples(ds, order.subarray(0, nTest)) };
}

/** datasets (e.g. parquet shards) → one, in order, named `source` (a single part keeps its own); label names must agree. */
export function concatDatasets(parts: readonly TextClassificationDataset[], source: string): TextClassificationDataset {
  if (parts.length === 0) throw new DatasetError(source, undefined, 'no dataset files to read');
  if (parts.length === 1) return parts[0]!; // keep the file's own name as the source
  const names = parts.find((p) => p.labelNames)?.labelNames;
  for (const p of parts) {
    if (p.labelNames && names && p.labelNames.join('\u0000') !== names.join('\u0000')) {
      throw new DatasetError(
        p.source,
        undefined,
        `label names ${JSON.stringify(p.labelNames)} differ from ${JSON.stringify(names)} in ${parts[0]!.source}`,
      );
    }
  }
  const paired = parts.filter((p) => p.textPairs !== undefined);
  if (paired.length > 0 && paired.length < parts.length) {
    const single = parts.find((p) => p.textPairs === undefined)!;
    throw new DatasetError(
      single.source,
      undefined,
      `has single texts but ${paired[0]!.source} has sentence pairs; every file must have the same columns`,
    );
  }
  const texts = parts.flatMap((p) => p.texts);
  const labels = parts.flatMap((p) => p.labels);
  const textPairs = paired.length > 0 ? parts.flatMap((p) => p.textPairs!) : undefined;
  return datasetOf(texts, textPairs, labels, names ? [...names] : undefined, source);
}
