// What every text pipeline does before its forward pass: encode each text (truncated to maxLength, or refused when
// longer than the model's positions), then group the texts longest first into padded batches of similar length.
// Shared by text-classification (text_classifier.ts) and feature-extraction (feature_extractor.ts).
import { batchInputs, DataCollatorWithPadding, type BatchInputs } from '../data/collator.js';
import { describeValue } from '../util/check.js';

/** What the pipelines need from a tokenizer (every tokenizer provides it). */
export interface SequenceTokenizer {
  readonly padTokenId: number;
  readonly modelMaxLength: number;
  /** Ids it can produce; checked against the model's vocab_size when given. */
  readonly vocabSize?: number;
  encode(text: string, options: { truncation?: boolean; maxLength?: number }): TextEncoding;
}

/** One encoded text, unpadded. */
export interface TextEncoding {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds?: number[];
}

export interface BatchingOptions {
  /** Most texts per forward pass (default 8). Texts are grouped by length, so padding stays small. */
  batchSize?: number;
  /** Cut long texts to maxLength tokens (default true; HF's pipeline default is false and crashes over 512). */
  truncation?: boolean;
  /** Token limit with truncation, special tokens included. Default: the tokenizer's model_max_length, capped by the
   *  longest input the model's positions hold. */
  maxLength?: number;
}

export class TextBatches {
  readonly batchSize: number;
  readonly truncation: boolean;
  readonly maxLength: number;
  private readonly collator: DataCollatorWithPadding;

  /** maxTokens: the longest input the model holds; task: the pipeline's name for errors. */
  constructor(
    readonly tokenizer: SequenceTokenizer,
    readonly maxTokens: number,
    options: BatchingOptions,
    readonly task: string,
  ) {
    this.batchSize = options.batchSize ?? 8;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new RangeError(`${task}: batchSize must be a positive integer, got ${options.batchSize}`);
    }
    this.truncation = options.truncation ?? true;
    this.maxLength = options.maxLength ?? Math.min(tokenizer.modelMaxLength, maxTokens);
    if (!Number.isInteger(this.maxLength) || this.maxLength < 2 || this.maxLength > maxTokens) {
      throw new RangeError(
        `${task}: maxLength must be an integer in [2, ${maxTokens}] (the longest input the model's positions hold), ` +
          `got ${options.maxLength}`,
      );
    }
    this.collator = new DataCollatorWithPadding({ padTokenId: tokenizer.padTokenId });
  }

  /** texts → their encodings; a non-string is an error naming its index. */
  encodeAll(texts: readonly string[]): TextEncoding[] {
    if (!Array.isArray(texts))
      throw new TypeError(`${this.task}: texts must be an array of strings, got ${describeValue(texts)}`);
    texts.forEach((t, i) => {
      if (typeof t !== 'string') throw new TypeError(`${this.task}: input ${i} is ${typeof t}, expected a string`);
    });
    return texts.map((t, i) => this.encode(t, i));
  }

  /**
   * encodings → batches of indices, longest first, at most batchSize each. A batch also ends where a text is under
   * half the batch's longest: padding a 10-token review to 512 would cost 50 times its own work.
   */
  plan(encodings: readonly TextEncoding[]): number[][] {
    const order = encodings
      .map((_, i) => i)
      .sort((a, b) => encodings[b]!.inputIds.length - encodings[a]!.inputIds.length || a - b);
    const out: number[][] = [];
    let current: number[] = [];
    for (const i of order) {
      const longest = current.length ? encodings[current[0]!]!.inputIds.length : 0;
      if (current.length === this.batchSize || encodings[i]!.inputIds.length * 2 < longest) {
        out.push(current);
        current = [];
      }
      current.push(i);
    }
    if (current.length) out.push(current);
    return out;
  }

  /** B encodings → forward()'s padded host inputs [B, T] (with token types when the tokenizer gave them). */
  inputs(encodings: readonly TextEncoding[]): BatchInputs {
    return batchInputs(this.collator.collate(encodings));
  }

  private encode(text: string, index: number): TextEncoding {
    if (this.truncation) return this.tokenizer.encode(text, { truncation: true, maxLength: this.maxLength });
    const enc = this.tokenizer.encode(text, { truncation: false });
    if (enc.inputIds.length > this.maxTokens) {
      throw new Error(
        `${this.task}: input ${index} has ${enc.inputIds.length} tokens, more than the model's ${this.maxTokens} ` +
          'positions hold; leave truncation on (the default) to cut it',
      );
    }
    return enc;
  }
}
