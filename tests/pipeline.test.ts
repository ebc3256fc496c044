// The Node pipeline against transformers' pipeline("sentiment-analysis") on the small real-vocab golden model:
// labels equal, scores within 1e-6, HF's output shapes (string / list / top_k=None), truncation of a 1018-token review.
// That model is random-init (every score about 0.51, two texts 2.2e-6 apart): tests/pipeline_finetuned.test.ts
// checks the scores on a fine-tuned model, where every text's score is distinct.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeline, type LabelScore, type TextClassificationPipeline } from '../src/index.js';
import { gpu } from './helpers/gpu.js';

const DIR = '../shared/golden/small-distilbert-realvocab';
const golden = JSON.parse(readFileSync(`${DIR}/pipeline.json`, 'utf8'));
const e2e = JSON.parse(readFileSync(`${DIR}/e2e.json`, 'utf8'));
const TOL = 1e-6; // measured 3.3e-8; the closest two golden scores are 2.2e-6 apart

let worst = 0; // largest |Δscore| against transformers over the file, reported at the end

function expectClose(got: LabelScore[], want: LabelScore[]): void {
  expect(got.map((r) => r.label)).toEqual(want.map((r) => r.label));
  got.forEach((r, i) => {
    const d = Math.abs(r.score - want[i]!.score);
    worst = Math.max(worst, d);
    expect(d).toBeLessThan(TOL);
  });
}

let classifier: TextClassificationPipeline;
beforeAll(async () => {
  await gpu();
  classifier = await pipeline('sentiment-analysis', DIR);
});
afterAll(() => {
  classifier?.dispose();
  console.log(`pipeline vs transformers: max |Δscore| ${worst.toExponential(2)}`);
});

describe('pipeline("sentiment-analysis") vs transformers', () => {
  it('a list of texts gives one {label, score} per text (HF default)', async () => {
    const out = (await classifier(golden.texts)) as LabelScore[];
    expect(out).toHaveLength(3);
    expectClose(out, golden.default);
  });

  it('a single string gives [{label, score}]', async () => {
    for (let i = 0; i < golden.texts.length; i++) {
      const out = await classifier(golden.texts[i]);
      expect(out).toHaveLength(1);
      expectClose(out, [golden.default[i]]);
    }
  });

  it('topK: null gives every label, sorted by score, one list per text', async () => {
    const out = await classifier(golden.texts as string[], { topK: null });
    expect(out).toHaveLength(3);
    out.forEach((rows, i) => expectClose(rows, golden.default_top_k_None[i]));
    const single = await classifier(golden.texts[0], { topK: null });
    expectClose(single, golden.default_top_k_None[0]);
  });

  it('truncates the 1018-token review by default (HF needs truncation=True)', async () => {
    const long = e2e.texts[golden.long_text_index_in_texts];
    const out = await classifier(long);
    expectClose(out, golden.long_text_with_truncation_True);
  });

  it('gives the same scores whatever the batch size (dynamic padding)', async () => {
    const texts = [...golden.texts, e2e.texts[golden.long_text_index_in_texts]];
    const one = await pipeline('text-classification', DIR, { batchSize: 1, topK: null });
    try {
      const a = await one.classify(texts);
      const b = await classifier.classify(texts, { topK: null });
      a.forEach((rows, i) => rows.forEach((r, j) => expect(Math.abs(r.score - b[i]![j]!.score)).toBeLessThan(1e-6)));
    } finally {
      one.dispose();
    }
  });

  it('refuses an over-long text with truncation off, with a clear error', async () => {
    const strict = await pipeline('sentiment-analysis', DIR, { truncation: false });
    try {
      await expect(strict(e2e.texts[golden.long_text_index_in_texts])).rejects.toThrow(
        /1018 tokens, more than the model's 512 positions/,
      );
    } finally {
      strict.dispose();
    }
  });

  it('rejects unknown tasks and bad topK', async () => {
    await expect(pipeline('summarization' as never, DIR)).rejects.toThrow(/unsupported task/);
    await expect(classifier('x', { topK: 0 })).rejects.toThrow(/topK must be a positive integer or null/);
  });
});
