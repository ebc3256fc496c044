// DataCollatorWithPadding, with the semantics of transformers' class of the same name:
// right padding to the longest row (rounded up to `padToMultipleOf`), pad id in `inputIds`,
// 0 in `attentionMask`, the pad token type id (0) in `tokenTypeIds` (sentence pairs, BERT), and `label` renamed to
// `labels`. Returns int32 where HF returns int64:
// ids and labels fit, and WebGPU has no 64-bit integers.

import { describeValue } from '../util/check.js';

/** One tokenized example, as a tokenizer call returns it plus the dataset's label. */
export interface CollatorFeature {
  inputIds: number[] | Int32Array;
  attentionMask?: number[] | Int32Array;
  /** BERT's segment ids (0 first text, 1 second); every feature of a batch has them or none does. */
  tokenTypeIds?: number[] | Int32Array;
  label?: number;
  labels?: number;
}

/** A padded batch; `inputIds` and `attentionMask` are row-major [batchSize, seqLen]. */
export interface CollatedBatch {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  /** [batchSize, seqLen], when the features have tokenTypeIds. */
  tokenTypeIds?: Int32Array;
  labels?: Int32Array;
  batchSize: number;
  seqLen: number;
}

/** A host int32 matrix as a model's forward() takes it: row-major values and their shape. */
export interface HostMatrix {
  data: Int32Array;
  shape: readonly number[];
}

/** What forward() gets from a collated batch (still on the host: the model uploads it, or skips the padding). */
export interface BatchInputs {
  inputIds: HostMatrix;
  attentionMask: HostMatrix;
  /** Sentence pairs' segment ids, when the tokenizer returned them (BERT). */
  tokenTypeIds?: HostMatrix;
  labels?: Int32Array;
}

/**
 * batch → forward()'s inputs: inputIds and attentionMask [B, T] (and tokenTypeIds [B, T] when the batch has them),
 * and labels [B] when `withLabels` (training; the evaluation loop and the pipeline read the labels themselves). The
 * one wrapping the Trainer, the evaluation loop and the pipelines share, in Node and browsers.
 */
export function batchInputs(batch: CollatedBatch, withLabels = false): BatchInputs {
  const shape = [batch.batchSize, batch.seqLen];
  const inputs: BatchInputs = {
    inputIds: { data: batch.inputIds, shape },
    attentionMask: { data: batch.attentionMask, shape },
  };
  if (batch.tokenTypeIds) inputs.tokenTypeIds = { data: batch.tokenTypeIds, shape };
  if (withLabels) inputs.labels = batch.labels;
  return inputs;
}

export interface DataCollatorOptions {
  /** Id written into padded positions (DistilBERT: 0 = [PAD], RoBERTa: 1 = <pad>). */
  padTokenId?: number;
  /** token_type_id written into padded positions (HF's pad_token_type_id; default 0). */
  padTokenTypeId?: number;
  /** Anything with a `padTokenId` (a Tokenizer); used for what the options above do not give. */
  tokenizer?: { padTokenId: number; padTokenTypeId?: number };
  /** Round the padded length up to a multiple of this (HF `pad_to_multiple_of`; helps kernel tiling). */
  padToMultipleOf?: number;
  /** A cap: never pad beyond it, and a longer row is an error (truncate in the tokenizer, as HF expects).
   *  Unlike HF's `max_length`, it does not switch to padding='max_length'. */
  maxLength?: number;
}

export class DataCollatorWithPadding {
  readonly padTokenId: number;
  readonly padTokenTypeId: number;
  readonly padToMultipleOf?: number;
  readonly maxLength?: number;

  constructor(options: DataCollatorOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `DataCollatorWithPadding: expected options { padTokenId } or { tokenizer }, got ${describeValue(options)}`,
      );
    }
    const pad = options.padTokenId ?? options.tokenizer?.padTokenId;
    if (pad === undefined) {
      throw new Error('DataCollatorWithPadding: give padTokenId, or a tokenizer that has padTokenId');
    }
    checkNonNegativeInt(pad, 'padTokenId');
    this.padTokenTypeId = options.padTokenTypeId ?? options.tokenizer?.padTokenTypeId ?? 0;
    checkNonNegativeInt(this.padTokenTypeId, 'padTokenTypeId');
    if (options.padToMultipleOf !== undefined) checkPositiveInt(options.padToMultipleOf, 'padToMultipleOf');
    if (options.maxLength !== undefined) checkPositiveInt(options.maxLength, 'maxLength');
    this.padTokenId = pad;
    this.padToMultipleOf = options.padToMultipleOf;
    this.maxLength = options.maxLength;
  }

  /**
   * features: B rows of lengths T_i → { inputIds: [B, T], attentionMask: [B, T], tokenTypeIds?: [B, T],
   * labels?: [B] }, T = max T_i rounded up.
   */
  collate(features: readonly CollatorFeature[]): CollatedBatch {
    if (!Array.isArray(features))
      throw new TypeError(
        `DataCollatorWithPadding: features must be an array of { inputIds, label }, got ${describeValue(features)}`,
      );
    if (features.length === 0) throw new Error('DataCollatorWithPadding: empty batch (no features)');
    const batchSize = features.length;
    const seqLen = this.paddedLength(features);
    const inputIds = new Int32Array(batchSize * seqLen).fill(this.padTokenId);
    const attentionMask = new Int32Array(batchSize * seqLen);
    for (let b = 0; b < batchSize; b++) {
      const f = features[b]!;
      const row = b * seqLen;
      const ids = f.inputIds;
      for (let t = 0; t < ids.length; t++) {
        const id = ids[t]!;
        if (!Number.isInteger(id) || id < 0) {
          throw new Error(
            `DataCollatorWithPadding: feature ${b}: inputIds[${t}] = ${id} is not a non-negative integer id`,
          );
        }
        inputIds[row + t] = id;
      }
      // A missing mask means "all real tokens", as HF's tokenizer.pad assumes.
      const mask = f.attentionMask;
      if (mask !== undefined && mask.length !== ids.length) {
        throw new Error(
          `DataCollatorWithPadding: feature ${b}: attentionMask has ${mask.length} entries but inputIds has ` +
            `${ids.length}`,
        );
      }
      for (let t = 0; t < ids.length; t++) {
        const m = mask === undefined ? 1 : mask[t]!;
        if (m !== 0 && m !== 1)
          throw new Error(`DataCollatorWithPadding: feature ${b}: attentionMask[${t}] = ${m} is not 0 or 1`);
        attentionMask[row + t] = m;
      }
    }
    const tokenTypeIds = this.collateTokenTypes(features, seqLen);
    const labels = collateLabels(features);
    const batch: CollatedBatch = { inputIds, attentionMask, batchSize, seqLen };
    if (tokenTypeIds) batch.tokenTypeIds = tokenTypeIds;
    if (labels) batch.labels = labels;
    return batch;
  }

  /** HF calls the collator as a function; so may we. */
  readonly call = (features: readonly CollatorFeature[]): CollatedBatch => this.collate(features);

  /** features[b].tokenTypeIds → [B, T] padded with padTokenTypeId, or undefined when no feature has them. */
  private collateTokenTypes(features: readonly CollatorFeature[], seqLen: number): Int32Array | undefined {
    const having = features.findIndex((f) => f.tokenTypeIds !== undefined);
    if (having < 0) return undefined;
    const missing = features.findIndex((f) => f.tokenTypeIds === undefined);
    if (missing >= 0) {
      throw new Error(
        `DataCollatorWithPadding: feature ${having} has tokenTypeIds but feature ${missing} has none; encode every example with the same tokenizer`,
      );
    }
    const out = new Int32Array(features.length * seqLen).fill(this.padTokenTypeId);
    features.forEach((f, b) => {
      const types = f.tokenTypeIds!;
      if (types.length !== f.inputIds.length) {
        throw new Error(
          `DataCollatorWithPadding: feature ${b}: tokenTypeIds has ${types.length} entries but inputIds has ${f.inputIds.length}`,
        );
      }
      for (let t = 0; t < types.length; t++) {
        const v = types[t]!;
        if (!Number.isInteger(v) || v < 0)
          throw new Error(
            `DataCollatorWithPadding: feature ${b}: tokenTypeIds[${t}] = ${v} is not a non-negative integer`,
          );
        out[b * seqLen + t] = v;
      }
    });
    return out;
  }

  private paddedLength(features: readonly CollatorFeature[]): number {
    let longest = 0;
    for (let b = 0; b < features.length; b++) {
      const f = features[b];
      if (f === null || typeof f !== 'object')
        throw new TypeError(
          `DataCollatorWithPadding: feature ${b} must be an object { inputIds, label }, got ${describeValue(f)}`,
        );
      const ids = f.inputIds;
      if (!ids || typeof ids.length !== 'number') {
        throw new Error(`DataCollatorWithPadding: feature ${b} has no inputIds array`);
      }
      // A model cannot run on zero tokens (a tokenizer always adds [CLS] and [SEP]).
      if (ids.length === 0)
        throw new Error(
          `DataCollatorWithPadding: feature ${b} has an empty inputIds (no tokens): encode its text with the tokenizer`,
        );
      longest = Math.max(longest, ids.length);
    }
    if (this.maxLength !== undefined && longest > this.maxLength) {
      throw new Error(
        `DataCollatorWithPadding: a row has ${longest} tokens, more than maxLength ${this.maxLength}; truncate ` +
          `when tokenizing`,
      );
    }
    let len = longest;
    const m = this.padToMultipleOf;
    if (m !== undefined && len % m !== 0) len = Math.ceil(len / m) * m;
    // maxLength is a cap (longest <= maxLength was checked), so rounding up never passes it.
    if (this.maxLength !== undefined) len = Math.min(len, this.maxLength);
    return len;
  }
}

/** features[b].label | labels → [B] int32, or undefined when no row has a label. */
function collateLabels(features: readonly CollatorFeature[]): Int32Array | undefined {
  const present = features.map((f) => f.label !== undefined || f.labels !== undefined);
  const count = present.filter(Boolean).length;
  if (count === 0) return undefined;
  if (count !== features.length) {
    const missing = present.indexOf(false);
    throw new Error(
      `DataCollatorWithPadding: ${count} of ${features.length} features have a label but feature ${missing} has ` +
        `none; a batch must be all labelled or all unlabelled`,
    );
  }
  const out = new Int32Array(features.length);
  for (let b = 0; b < features.length; b++) {
    const f = features[b]!;
    if (f.label !== undefined && f.labels !== undefined && f.label !== f.labels) {
      throw new Error(`DataCollatorWithPadding: feature ${b} has both label=${f.label} and labels=${f.labels}`);
    }
    const v = f.labels ?? f.label!;
    if (!Number.isInteger(v)) throw new Error(`DataCollatorWithPadding: feature ${b}: label ${v} is not an integer`);
    out[b] = v;
  }
  return out;
}

function checkNonNegativeInt(v: number, name: string): void {
  if (!Number.isInteger(v) || v < 0)
    throw new Error(`DataCollatorWithPadding: ${name} must be a non-negative integer, got ${v}`);
}

function checkPositiveInt(v: number, name: string): void {
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`DataCollatorWithPadding: ${name} must be a positive integer, got ${v}`);
}
