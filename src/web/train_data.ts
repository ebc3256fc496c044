// The fine-tuning panel's data → train and eval datasets. Picked files are parsed by the very readers
// dist/train.js uses (src/data/: JSONL, CSV, TSV, parquet), with the loaded model's labels as the label set, so a
// file's "pos"/"positive"/1 all land on the class the model calls POSITIVE, and a bad row is an error naming it.

import { parseDataset, trainTestSplit } from '../data/dataset.js';
import type { TextClassificationDataset } from '../data/types.js';
import type { NamedBytes, TrainData } from './protocol.js';

export interface Splits {
  train: TextClassificationDataset;
  eval?: TextClassificationDataset;
}

/** data, labels (labels[i] names class i), seed → the train split and the eval split (a file, a held-out part, or none). */
export async function trainSplits(data: TrainData, labels: readonly string[], seed: number): Promise<Splits> {
  const parse = (f: NamedBytes): Promise<TextClassificationDataset> =>
    parseDataset(new Uint8Array(f.bytes), f.name, { labelNames: labels });
  const all: TextClassificationDataset =
    data.train.kind === 'file'
      ? await parse(data.train.file)
      : {
          texts: data.train.examples.map((e) => e.text),
          labels: data.train.examples.map((e) => e.label),
          source: 'the training text',
        };
  if (all.texts.length === 0) throw new Error(`${all.source}: no examples`);
  if (data.evalFile) return { train: all, eval: await parse(data.evalFile) };
  if (data.evalFraction > 0) {
    const { train, test } = trainTestSplit(all, data.evalFraction, seed);
    return { train, eval: test };
  }
  return { train: all };
}
