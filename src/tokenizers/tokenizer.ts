// The interface every tokenizer implements (BertTokenizer: WordPiece; RobertaTokenizer: byte-level BPE), and the
// option and result types of its calls: camelCase of transformers' names. The pipeline, the collator, the Trainer
// and the CLI use only this interface, so AutoTokenizer can hand them either family.

import { describeValue, optionsObject } from '../util/check.js';

/** transformers' names of the model inputs a tokenizer returns (its `model_input_names`). */
export type ModelInputName = 'input_ids' | 'token_type_ids' | 'attention_mask';

/**
 * How a pair is cut to maxLength (HF's TruncationStrategy): longest_first takes tokens from the longer text,
 * only_first / only_second from that text alone (an error when it is too short to make room).
 */
export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second' | 'do_not_truncate';

export interface EncodeOptions {
  /** The second text of a pair: `[CLS] A [SEP] B [SEP]` (BERT), `<s> A </s></s> B </s>` (RoBERTa). */
  textPair?: string;
  /** Cut to `maxLength` (default: modelMaxLength) counting special tokens. true = 'longest_first' (HF). */
  truncation?: boolean | TruncationStrategy;
  /** Given without `truncation`, truncation is on (HF's "longest_first" default with a warning). */
  maxLength?: number;
  /** Add the template's special tokens ([CLS] … [SEP], <s> … </s>); default true. */
  addSpecialTokens?: boolean;
  /** Default: whether modelInputNames holds token_type_ids (BERT yes; DistilBERT and RoBERTa no), as in HF. */
  returnTokenTypeIds?: boolean;
}

export interface BatchEncodeOptions extends Omit<EncodeOptions, 'textPair'> {
  /** textPairs[i] pairs with texts[i]; same length as texts. */
  textPairs?: readonly string[];
}

/** One encoded text (or pair), unpadded: all three arrays have the same length. */
export interface Encoding {
  inputIds: number[];
  attentionMask: number[];
  /** 0 for the first text and its special tokens, 1 for the second (BERT); present when returned (see above). */
  tokenTypeIds?: number[];
}

export interface DecodeOptions {
  /** Drop special tokens ([CLS], [SEP], [PAD], <s>, </s>, <pad>, <mask>, …); default false. */
  skipSpecialTokens?: boolean;
  /** transformers' clean_up_tokenization_spaces; default from tokenizer_config.json or HF's class default. */
  cleanUpTokenizationSpaces?: boolean;
}

/** What the rest of the library needs from a tokenizer. */
export interface Tokenizer {
  /** The tokenizer model: 'wordpiece' (BERT, DistilBERT) or 'bpe' (byte-level BPE: RoBERTa). */
  readonly kind: 'wordpiece' | 'bpe';
  /** Number of ids (vocab entries): the embedding matrix needs this many rows. */
  readonly vocabSize: number;
  /** Id written into padded positions (BERT 0 = [PAD], RoBERTa 1 = <pad>). */
  readonly padTokenId: number;
  /** token_type_id of padded positions (HF's pad_token_type_id: 0). */
  readonly padTokenTypeId: number;
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  /** undefined when the vocabulary has none. */
  readonly unkTokenId: number | undefined;
  readonly maskTokenId: number | undefined;
  /** From tokenizer_config.json; Infinity when it sets none (then `truncation: true` keeps everything). */
  readonly modelMaxLength: number;
  /** What encode() returns, in HF's order and names (e.g. ['input_ids', 'token_type_ids', 'attention_mask']). */
  readonly modelInputNames: readonly ModelInputName[];

  /** text → tokens without special tokens, e.g. "Hello, world!" → ["hello", ",", "world", "!"] (WordPiece). */
  tokenize(text: string): string[];
  /** text (+ options.textPair) → { inputIds: [n], attentionMask: [n] (all 1), tokenTypeIds?: [n] }. */
  encode(text: string, options?: EncodeOptions): Encoding;
  /** texts: [B] (+ textPairs: [B]) → B encodings, each as encode() gives it (no padding: the collator pads). */
  encodeBatch(texts: readonly string[], options?: BatchEncodeOptions): Encoding[];
  /** ids → text, as the matching HF tokenizer's decode() does. */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /** ids → their tokens (HF convert_ids_to_tokens); an id outside the vocabulary is an error. */
  convertIdsToTokens(ids: ArrayLike<number>): string[];
  /** Special tokens encode() adds around one text (pair false) or a pair (HF num_special_tokens_to_add). */
  numSpecialTokensToAdd(pair?: boolean): number;
  /** The tokenizer's files as save_pretrained writes them (file name → bytes). */
  saveFiles(): Map<string, Uint8Array>;
}

/** texts: [B] (+ options.textPairs: [B]) → encode(texts[i], { textPair: textPairs[i] }) each; `who`: the caller. */
export function encodeEach(
  encode: (text: string, options: EncodeOptions) => Encoding,
  texts: readonly string[],
  options: BatchEncodeOptions,
  who: string,
): Encoding[] {
  if (!Array.isArray(texts))
    throw new TypeError(`${who}: texts must be an array of strings, got ${describeValue(texts)}`);
  const { textPairs, ...rest } = optionsObject(options, who);
  if (textPairs === undefined) return texts.map((t) => encode(t, rest));
  if (!Array.isArray(textPairs) || textPairs.length !== texts.length) {
    throw new TypeError(
      `${who}: textPairs must be an array of ${texts.length} strings (one per text), got ${describeValue(textPairs)}`,
    );
  }
  return texts.map((t, i) => encode(t, { ...rest, textPair: textPairs[i] }));
}
