// The pipeline and the default inference path (host inputs: the padding skipped) against transformers on a model
// fine-tuned by HF's Trainer (../shared/golden/finetuned-small, README section F). Its scores (top 0.54-0.98) differ
// from text to text by more than twice the tolerance, so a swapped, stale or slightly wrong output fails, which the
// random-init golden models (every score about 0.51) cannot show. pipeline.json: 48 IMDb test reviews, some past
// 512 tokens (truncation=True), and 4 short strings, one of them empty; batch_logits: HF's logits of a padded batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../src/index.js';
import { gpu } from './helpers/gpu.js';
import { compare, countGathers, goldenPath, readGoldenJson, readGoldenTensors, report } from './distilbert.helpers.js';

const DIR = goldenPath('finetuned-small');
const golden = readGoldenJson('finetuned-small/pipeline.json') as {
  texts: string[];
  labels: number[];
  outputs: wt.LabelScore[][];
};
/** |Δscore| allowed: measured 1.5e-7 here; well under the 6.2e-6 that separates the two closest golden scores. */
const TOL = 1e-6;

let classifier: wt.TextClassificationPipeline;
let worst = 0;
beforeAll(async () => {
  await gpu();
  classifier = await wt.pipeline('text-classification', DIR, { topK: null });
});
afterAll(() => {
  classifier?.dispose();
  console.log(`fine-tuned pipeline vs transformers: max |Δscore| ${worst.toExponential(2)}`);
});

/** Every text's labels in HF's order and its scores within TOL. */
function expectGolden(got: wt.LabelScore[][], want: wt.LabelScore[][]): void {
  expect(got).toHaveLength(want.length);
  got.forEach((rows, i) => {
    expect(
      rows.map((r) => r.label),
      `text ${i}`,
    ).toEqual(want[i]!.map((r) => r.label));
    rows.forEach((r, j) => {
      const d = Math.abs(r.score - want[i]![j]!.score);
      worst = Math.max(worst, d);
      expect(d, `text ${i} ${r.label}`).toBeLessThan(TOL);
    });
  });
}

const positive = (rows: wt.LabelScore[]): number => rows.find((r) => r.label === 'POSITIVE')!.score;

describe('pipeline vs transformers on a fine-tuned model', () => {
  it('the golden outputs tell every text apart (so the check below can fail on a swap)', () => {
    expect(golden.texts).toHaveLength(52);
    expect(golden.texts).toContain('');
    const p = golden.outputs.map(positive);
    let closest = Infinity;
    for (let i = 0; i < p.length; i++)
      for (let j = i + 1; j < p.length; j++) closest = Math.min(closest, Math.abs(p[i]! - p[j]!));
    expect(closest).toBeGreaterThan(2 * TOL);
    const top = golden.outputs.map((rows) => rows[0]!.score);
    expect(Math.min(...top)).toBeLessThan(0.6);
    expect(Math.max(...top)).toBeGreaterThan(0.95);
  });

  it('all 52 texts in one call (empty string and over-long reviews included): every label and score', async () => {
    expectGolden(await classifier.classify(golden.texts), golden.outputs);
  });

  it('one text per call, and the default top label per text, give the same', async () => {
    const one = await wt.pipeline('sentiment-analysis', DIR, { batchSize: 1 });
    try {
      const top = (await one(golden.texts)) as wt.LabelScore[];
      expectGolden(
        top.map((r) => [r]),
        golden.outputs.map((rows) => [rows[0]!]),
      );
      for (const i of [0, 17, 48, 49])
        expectGolden([await one(golden.texts[i]!, { topK: null })], [golden.outputs[i]!]);
    } finally {
      one.dispose();
    }
  });

  it("the default inference path (host ids and mask: padding skipped) gives HF's logits of the padded batch", async () => {
    const batch = readGoldenJson('finetuned-small/batch_inputs.json') as {
      input_ids: number[][];
      attention_mask: number[][];
    };
    const want = readGoldenTensors('finetuned-small/batch_logits.safetensors').get('logits')!;
    expect(batch.attention_mask.some((row) => row.includes(0))).toBe(true); // there is padding to skip
    const model = (await wt.DistilBertForSequenceClassification.fromPretrained(DIR)).eval();
    try {
      const inputs = { inputIds: batch.input_ids, attentionMask: batch.attention_mask };
      const run = (skipPadding?: boolean) =>
        wt.noGrad(() =>
          wt.tidyAsync(async () => {
            const { result, gathers } = countGathers(
              () => model.forward(inputs, skipPadding === undefined ? {} : { skipPadding }).logits,
            );
            return { logits: (await result.data()) as Float32Array, gathers };
          }),
        );
      const skipped = await run(); // the default
      const padded = await run(false);
      expect(skipped.gathers, 'the packed path was taken').toBeGreaterThan(2);
      expect(padded.gathers).toBe(2);
      const rows = [
        compare('logits, padding skipped (default)', skipped.logits, want.data, 1e-5),
        compare('logits, padded', padded.logits, want.data, 1e-5),
      ];
      expect(report('fine-tuned batch of 16 vs HF', rows)).toEqual([]);
    } finally {
      model.dispose();
    }
  });
});
