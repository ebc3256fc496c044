// What every tokenizer family shares once it can turn one text into content ids: encode() (pairs, truncation, the
// post-processor's template, token type ids), encodeBatch(), convertIdsToTokens(), numSpecialTokensToAdd().
// BertTokenizer and RobertaTokenizer extend it; a new family implements contentIds() and its loading and saving.

import { describeValue, optionsObject } from '../util/check.js';
import type { Flavour } from './basic.js';
import { assembleEncoding, specialCount, truncationLimit, type Templates } from './post_process.js';
import {
  encodeEach,
  type BatchEncodeOptions,
  type DecodeOptions,
  type EncodeOptions,
  type Encoding,
  type ModelInputName,
  type Tokenizer,
} from './tokenizer.js';

export abstract class TemplateTokenizer implements Tokenizer {
  abstract readonly kind: 'wordpiece' | 'bpe';
  abstract readonly vocabSize: number;
  abstract readonly padTokenId: number;
  readonly padTokenTypeId = 0;
  abstract readonly clsTokenId: number;
  abstract readonly sepTokenId: number;
  abstract readonly unkTokenId: number | undefined;
  abstract readonly maskTokenId: number | undefined;
  abstract readonly modelMaxLength: number;
  abstract readonly modelInputNames: readonly ModelInputName[];

  /** Names the class in error messages ("BertTokenizer"). */
  protected abstract readonly className: string;
  /** tokens[id] for every id. */
  protected abstract readonly vocabTokens: readonly string[];
  protected abstract readonly templates: Templates;
  /** Whose truncation to copy: 'rust' (tokenizers: stops at the limit, its longest_first) or 'python' (slow). */
  protected abstract readonly truncationFlavour: Flavour;

  /** text → content ids (no special tokens); with `cap`, it may stop after the word or piece that reaches `cap` ids. */
  protected abstract contentIds(text: string, cap: number | undefined): number[];

  abstract tokenize(text: string): string[];
  abstract decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  abstract saveFiles(): Map<string, Uint8Array>;

  /**
   * text (+ options.textPair) → { inputIds: [n], attentionMask: [n] (all 1), tokenTypeIds?: [n] }: the text (or pair)
   * truncated as asked and wrapped in the template (`[CLS] A [SEP] B [SEP]`, `<s> A </s></s> B </s>`); tokenTypeIds
   * when modelInputNames holds token_type_ids or options.returnTokenTypeIds is true.
   */
  encode(text: string, options: EncodeOptions = {}): Encoding {
    const who = `${this.className}.encode`;
    if (typeof text !== 'string') throw new TypeError(`${who}: text must be a string, got ${describeValue(text)}`);
    options = optionsObject(options, who);
    const pair = options.textPair;
    if (pair !== undefined && typeof pair !== 'string')
      throw new TypeError(`${who}: textPair must be a string, got ${describeValue(pair)}`);
    // tokenizers (≥ 0.23) stops tokenizing at the limit (see truncationLimit); transformers' slow tokenizers do not.
    const cap = this.truncationFlavour === 'rust' ? truncationLimit(options, this.modelMaxLength) : undefined;
    const a = this.contentIds(text, cap);
    const b = pair === undefined ? undefined : this.contentIds(pair, cap);
    return assembleEncoding(a, b, options, {
      templates: this.templates,
      modelMaxLength: this.modelMaxLength,
      flavour: this.truncationFlavour,
      returnTokenTypeIds: this.modelInputNames.includes('token_type_ids'),
    });
  }

  /** texts: [B] (+ textPairs: [B]) → B encodings, each as encode() gives it (no padding: the collator pads). */
  encodeBatch(texts: readonly string[], options: BatchEncodeOptions = {}): Encoding[] {
    return encodeEach((t, o) => this.encode(t, o), texts, options, `${this.className}.encodeBatch`);
  }

  /** ids → tokens, e.g. [101, 7592] → ["[CLS]", "hello"]; an id outside the vocabulary is a RangeError. */
  convertIdsToTokens(ids: ArrayLike<number>): string[] {
    const tokens = this.vocabTokens;
    return Array.from(ids, (id) => {
      const t = tokens[id];
      if (t === undefined)
        throw new RangeError(`${this.className}: id ${id} is not in the vocabulary (ids 0..${tokens.length - 1})`);
      return t;
    });
  }

  numSpecialTokensToAdd(pair = false): number {
    const t = pair ? this.templates.pair : this.templates.single;
    return t === undefined ? 0 : specialCount(t);
  }
}
