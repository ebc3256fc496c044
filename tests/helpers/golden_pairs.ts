// The sentence pairs behind golden/tiny-bert/inputs.json and golden/tiny-roberta/inputs.json. The files hold only the
// ids; the texts are IMDb train reviews 0/303, 101/404 and 202/505 (found by decoding the ids and searching
// ../shared/data/imdb/train.jsonl), encoded as tokenizer(a, b, truncation=True, max_length=48, padding=True).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DataCollatorWithPadding, type CollatedBatch } from '../../src/data/collator.js';
import type { Tokenizer } from '../../src/tokenizers/index.js';

export interface GoldenBatch {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  labels: number[];
}

const TRAIN = fileURLToPath(new URL('../../../shared/data/imdb/train.jsonl', import.meta.url));
const PAIR_ROWS: ReadonlyArray<[number, number]> = [
  [0, 303],
  [101, 404],
  [202, 505],
];
const MAX_LENGTH = 48;

/** tokenizer, labels: [3] → the three golden pairs encoded and padded by DataCollatorWithPadding({ tokenizer }). */
export function collateGoldenPairs(tok: Tokenizer, labels: readonly number[]): CollatedBatch {
  const rows = readFileSync(TRAIN, 'utf8').split('\n'); // "\n" only: reviews contain U+0085
  const text = (i: number): string => (JSON.parse(rows[i]!) as { text: string }).text;
  const features = tok.encodeBatch(
    PAIR_ROWS.map(([a]) => text(a)),
    {
      textPairs: PAIR_ROWS.map(([, b]) => text(b)),
      truncation: true,
      maxLength: MAX_LENGTH,
    },
  );
  return new DataCollatorWithPadding({ tokenizer: tok }).collate(features.map((f, i) => ({ ...f, label: labels[i]! })));
}

/** flat: [B·T] → B rows of T. */
export function rowsOf(flat: Int32Array, seqLen: number): number[][] {
  return Array.from({ length: flat.length / seqLen }, (_, b) => [...flat.subarray(b * seqLen, (b + 1) * seqLen)]);
}
