// DataCollatorWithPadding against the real HF collator's output (golden e2e.json), plus padding rules and errors.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { DataCollatorWithPadding } from '../src/data/index.js';

interface E2e {
  labels: number[];
  tokenized_truncation_true: { input_ids: number[][]; attention_mask: number[][] };
  collated: { input_ids: number[][]; attention_mask: number[][]; labels: number[] };
  collated_shape: number[];
}
const e2e = JSON.parse(
  readFileSync(new URL('../../shared/golden/small-distilbert-realvocab/e2e.json', import.meta.url), 'utf8'),
) as E2e;

describe('DataCollatorWithPadding', () => {
  test('reproduces HF DataCollatorWithPadding(tokenizer=tok) on the 20 IMDb texts exactly', () => {
    const tok = e2e.tokenized_truncation_true;
    // Features as the tutorial's map() makes them: {label, input_ids, attention_mask}.
    const features = e2e.labels.map((label, i) => ({
      label,
      inputIds: tok.input_ids[i]!,
      attentionMask: tok.attention_mask[i]!,
    }));
    const batch = new DataCollatorWithPadding({ tokenizer: { padTokenId: 0 } }).collate(features);
    expect([batch.batchSize, batch.seqLen]).toEqual(e2e.collated_shape);
    expect(Array.from(batch.inputIds)).toEqual(e2e.collated.input_ids.flat());
    expect(Array.from(batch.attentionMask)).toEqual(e2e.collated.attention_mask.flat());
    expect(Array.from(batch.labels!)).toEqual(e2e.collated.labels);
  });

  test('pads to the longest row, right side, with the pad id and mask 0', () => {
    const c = new DataCollatorWithPadding({ padTokenId: 7 });
    const b = c.collate([{ inputIds: [101, 5, 102] }, { inputIds: [101, 102], labels: undefined }]);
    expect([b.batchSize, b.seqLen]).toEqual([2, 3]);
    expect(Array.from(b.inputIds)).toEqual([101, 5, 102, 101, 102, 7]);
    expect(Array.from(b.attentionMask)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(b.labels).toBeUndefined();
  });

  test('padToMultipleOf rounds the length up (and leaves exact multiples alone)', () => {
    const c = new DataCollatorWithPadding({ padTokenId: 0, padToMultipleOf: 8 });
    const b = c.collate([
      { inputIds: [1, 2, 3, 4, 5], label: 1 },
      { inputIds: [1, 2], label: 0 },
    ]);
    expect(b.seqLen).toBe(8);
    expect(Array.from(b.inputIds.subarray(0, 8))).toEqual([1, 2, 3, 4, 5, 0, 0, 0]);
    expect(Array.from(b.attentionMask.subarray(8))).toEqual([1, 1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(b.labels!)).toEqual([1, 0]);
    expect(c.collate([{ inputIds: new Array(16).fill(3) }]).seqLen).toBe(16);
    expect(c.collate([{ inputIds: new Array(17).fill(3) }]).seqLen).toBe(24);
  });

  test('maxLength caps the rounded length and rejects longer rows', () => {
    const c = new DataCollatorWithPadding({ padTokenId: 0, padToMultipleOf: 8, maxLength: 10 });
    expect(c.collate([{ inputIds: [1, 2, 3, 4, 5, 6, 7, 8, 9] }]).seqLen).toBe(10);
    expect(() => c.collate([{ inputIds: new Array(11).fill(1) }])).toThrow(/11 tokens, more than maxLength 10/);
  });

  test('labels and label both become labels; keeps the given mask', () => {
    const c = new DataCollatorWithPadding({ padTokenId: 0 });
    const b = c.collate([
      { inputIds: [1, 2], attentionMask: [1, 1], labels: 1 },
      { inputIds: [3], label: 0 },
    ]);
    expect(Array.from(b.labels!)).toEqual([1, 0]);
    expect(Array.from(b.attentionMask)).toEqual([1, 1, 1, 0]);
  });

  test('clear errors: empty batch, mixed labels, bad ids, bad options', () => {
    const c = new DataCollatorWithPadding({ padTokenId: 0 });
    expect(() => c.collate([])).toThrow(/empty batch/);
    expect(() => c.collate([{ inputIds: [1], label: 1 }, { inputIds: [2] }])).toThrow(/feature 1 has none/);
    expect(() => c.collate([{ inputIds: [1, 2.5] }])).toThrow(/inputIds\[1\] = 2.5 is not a non-negative integer/);
    expect(() => c.collate([{ inputIds: [1, -1] }])).toThrow(/inputIds\[1\] = -1/);
    expect(() => c.collate([{ inputIds: [1, 2], attentionMask: [1] }])).toThrow(/attentionMask has 1 entries/);
    expect(() => c.collate([{ inputIds: [1], label: 0.5 }])).toThrow(/label 0.5 is not an integer/);
    expect(() => new DataCollatorWithPadding({})).toThrow(/padTokenId/);
    expect(() => new DataCollatorWithPadding({ padTokenId: 0, padToMultipleOf: 0 })).toThrow(/padToMultipleOf/);
  });
});
