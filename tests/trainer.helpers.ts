// Shared by the Trainer tests: the tiny golden model (optionally with dropout off, as HF's cross-check ran it)
// and the golden batch served by a collator that always returns it.
import { readFileSync } from 'node:fs';
import { MemoryFileSource } from '../src/io/files.js';
import { DistilBertForSequenceClassification } from '../src/models/distilbert/model.js';
import type { CollatedBatch } from '../src/data/collator.js';
import { goldenPath, readGoldenJson } from './distilbert.helpers.js';

/** The tiny golden model; dropoutOff sets every dropout probability to 0 (train() then equals eval numerically). */
export async function tinyModel(dropoutOff: boolean, seed = 42): Promise<DistilBertForSequenceClassification> {
  const config = JSON.parse(readFileSync(goldenPath('tiny-distilbert/config.json'), 'utf8'));
  if (dropoutOff) Object.assign(config, { dropout: 0, attention_dropout: 0, seq_classif_dropout: 0 });
  const files = new Map<string, Uint8Array>([
    ['config.json', new TextEncoder().encode(JSON.stringify(config))],
    ['model.safetensors', new Uint8Array(readFileSync(goldenPath('tiny-distilbert/model.safetensors')))],
  ]);
  return DistilBertForSequenceClassification.fromPretrained(new MemoryFileSource(files, 'tiny-distilbert'), { seed });
}

/** inputs.json as a collated batch [3, 16]. */
export function goldenBatch(): CollatedBatch {
  const inp = readGoldenJson('tiny-distilbert/inputs.json');
  const ids: number[][] = inp.input_ids;
  return {
    inputIds: Int32Array.from(ids.flat()),
    attentionMask: Int32Array.from((inp.attention_mask as number[][]).flat()),
    labels: Int32Array.from(inp.labels as number[]),
    batchSize: ids.length,
    seqLen: ids[0].length,
  };
}

/** A collator that ignores its features and returns the golden batch (HF's cross-check did the same). */
export const goldenCollator = { collate: (): CollatedBatch => goldenBatch() };

/** n placeholder features (the collator ignores them; only the count matters for the epoch arithmetic). */
export const placeholderDataset = (n: number) => Array.from({ length: n }, () => ({ inputIds: [101, 102], label: 0 }));
