// A dataset's texts → the collator's features, the one way every trainer front end does it (the CLI, the built-in
// demo, the web page): truncated to maxLength tokens with [CLS]/[SEP] included, labels carried alongside. Pure.

import type { CollatorFeature } from './collator.js';
import type { TextClassificationDataset } from './types.js';

/** What tokenizing needs from a tokenizer (BertTokenizer has it). */
export interface EncodingTokenizer {
  encode(text: string, options: { truncation: boolean; maxLength: number }): { inputIds: number[] };
}

/** texts: [N] with labels: [N], maxLength → N features (inputIds: [≤ maxLength] each). */
export function tokenizeDataset(
  tokenizer: EncodingTokenizer,
  ds: Pick<TextClassificationDataset, 'texts' | 'labels'>,
  maxLength: number,
): CollatorFeature[] {
  return ds.texts.map((text, i) => {
    const enc = tokenizer.encode(text, { truncation: true, maxLength });
    return { inputIds: Int32Array.from(enc.inputIds), label: ds.labels[i]! };
  });
}
