// golden/small-distilbert-realvocab: 20 IMDb reviews, collated to [20, 512], through a dim-64 model with the real
// 30522-token vocabulary: logits, the [CLS] hidden state of every layer, and the pre-classifier output.
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import { compare, goldenPath, readGoldenJson, readGoldenTensors, report, type ErrorRow } from './distilbert.helpers.js';

beforeAll(async () => {
  await gpu();
});

describe('small DistilBERT with the real vocab vs Hugging Face', () => {
  it('20 padded reviews: logits, CLS hidden states, pre_classifier output (run in chunks of rows)', async () => {
    const e2e = readGoldenJson('small-distilbert-realvocab/e2e.json');
    const golden = readGoldenTensors('small-distilbert-realvocab/logits.safetensors');
    const model = await wt.DistilBertForSequenceClassification.fromPretrained(goldenPath('small-distilbert-realvocab'));
    model.eval();
    const ids: number[][] = e2e.collated.input_ids;
    const mask: number[][] = e2e.collated.attention_mask;
    expect([ids.length, ids[0].length]).toEqual([20, 512]);
    const dim = model.config.dim;
    const got = { logits: [] as number[], pre: [] as number[], cls: [[], [], []] as number[][] };
    const chunk = 5; // [5, 4, 512, 512] attention scores per layer: 21 MB
    for (let start = 0; start < 20; start += chunk) {
      await wt.tidyAsync(async () => {
        const out = wt.noGrad(() =>
          model.forward(
            { inputIds: ids.slice(start, start + chunk), attentionMask: mask.slice(start, start + chunk) },
            { outputHiddenStates: true },
          ),
        );
        got.logits.push(...(await out.logits.array()));
        for (let l = 0; l < 3; l++) {
          const h = wt.noGrad(() => wt.narrow(out.hiddenStates![l], 1, 0, 1));
          got.cls[l].push(...(await h.array()));
        }
        const cls = wt.noGrad(() =>
          model.preClassifier.forward(wt.narrow(out.hiddenStates![2], 1, 0, 1).reshape([-1, dim])),
        );
        got.pre.push(...(await cls.array()));
      });
    }
    const rows: ErrorRow[] = [compare('logits', got.logits, golden.get('logits')!.data, 1e-5)];
    for (let l = 0; l < 3; l++)
      rows.push(compare(`hidden_states.${l}.cls`, got.cls[l], golden.get(`hidden_states.${l}.cls`)!.data, 1e-5));
    rows.push(compare('pre_classifier_output', got.pre, golden.get('pre_classifier_output')!.data, 1e-5));
    expect(report('small realvocab [20, 512]', rows)).toEqual([]);
    // Predicted labels agree with HF's (every text is POSITIVE for this random-init model).
    const predicted = Array.from({ length: 20 }, (_, i) => (got.logits[2 * i + 1] > got.logits[2 * i] ? 1 : 0));
    expect(predicted).toEqual(
      e2e.predicted_label.map((l: number | string) => (typeof l === 'number' ? l : model.config.label2id[l])),
    );
    model.dispose();
  });
});
