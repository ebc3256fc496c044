// A dataset's texts → the collator's features, the one way every trainer front end does it (the CLI, the built-in
// demo, the web page): truncated to maxLength tokens with [CLS]/[SEP] included, labels carried alongside. Pure.
// Sentence pairs (ds.textPairs) are encoded as pairs: [CLS] A [SEP] B [SEP] with token type ids (BERT).

import type { CollatorFeature } from './collator.js';
import type { TextClassificationDataset } from './types.js';

/** What tokenizing needs from a tokenizer (every Tokenizer has it). */
export interface EncodingTokenizer {
  encode(
    text: string,
    options: { textPair?: string; truncation: boolean; maxLength: number },
  ): { inputIds: number[]; tokenTypeIds?: number[] };
}

/**
 * texts: [N] (+ textPairs: [N]) with labels: [N], maxLength → N features (inputIds: [≤ maxLength] each, and
 * tokenTypeIds where the tokenizer returns them); a pair is cut with HF's longest_first.
 */
export function tokenizeDataset(
  tokenizer: EncodingTokenizer,
  ds: Pick<TextClassificationDataset, 'texts' | 'labels' | 'textPairs'>,
  maxLength: number,
): CollatorFeature[] {
  const pairs = ds.textPairs;
  return ds.texts.map((text, i) => {
    const enc = tokenizer.encode(text, { textPair: pairs?.[i], truncation: true, maxLength });
    const feature: CollatorFeature = { inputIds: Int32Array.from(enc.inputIds), label: ds.labels[i]! };
    if (enc.tokenTypeIds) feature.tokenTypeIds = Int32Array.from(enc.tokenTypeIds);
    return feature;
  });
}
