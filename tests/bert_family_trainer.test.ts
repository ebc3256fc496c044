// The Trainer with BERT and RoBERTa: the golden batch of sentence pairs, tokenized features (token type ids for
// BERT) through the default collator and batchInputs, gives HF's loss in evaluate(); a few training steps (dropout
// on) run through the padding-free path with token types, finite and moving the loss.
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import { goldenPath, readGoldenJson, readGoldenTensors } from './distilbert.helpers.js';

beforeAll(async () => {
  await gpu();
});

for (const dir of ['tiny-bert', 'tiny-roberta']) {
  describe(`Trainer on ${dir}`, () => {
    it("evaluate() on the golden pairs gives HF's loss (token types through the collator); train() steps", async () => {
      const inputs = readGoldenJson(`${dir}/inputs.json`);
      const tokenizer = await wt.AutoTokenizer.fromPretrained(goldenPath(dir));
      // The tokenizer gives the golden encodings of the pairs (inputs.json came from the same call).
      const features: wt.CollatorFeature[] = inputs.input_ids.map((ids: number[], i: number) => {
        const f: wt.CollatorFeature = { inputIds: ids, label: inputs.labels[i] };
        if (inputs.token_type_ids) f.tokenTypeIds = inputs.token_type_ids[i];
        return f;
      });
      const model = await wt.AutoModelForSequenceClassification.fromPretrained(goldenPath(dir));
      const args = new wt.TrainingArguments({
        outputDir: `in-memory-${dir}`,
        perDeviceEvalBatchSize: 3,
        perDeviceTrainBatchSize: 2,
        maxSteps: 3,
        loggingSteps: 1,
        evalStrategy: 'no',
        saveStrategy: 'no',
        learningRate: 1e-3,
        seed: 3,
      });
      const trainer = new wt.Trainer({
        model,
        args,
        tokenizer,
        trainDataset: features,
        store: new wt.MemoryCheckpointStore('m'),
      });
      const metrics = await trainer.evaluate(features);
      const want = readGoldenTensors(`${dir}/forward.safetensors`).get('loss')!.data[0]!;
      expect(Math.abs(metrics.eval_loss! - want)).toBeLessThan(1e-5);
      if (inputs.token_type_ids) {
        // The types reach the model: the loss is the forward's with them, not the one without (2e-6 apart here).
        const direct = (types?: number[][]) =>
          wt.tidyAsync(() =>
            wt.noGrad(() =>
              model
                .forward({
                  inputIds: inputs.input_ids,
                  attentionMask: inputs.attention_mask,
                  tokenTypeIds: types,
                  labels: inputs.labels,
                })
                .loss!.item(),
            ),
          );
        const [withTypes, withoutTypes] = [await direct(inputs.token_type_ids), await direct()];
        expect(Math.abs(metrics.eval_loss! - withTypes)).toBeLessThan(Math.abs(withTypes - withoutTypes) / 20);
      }
      const out = await trainer.train();
      const losses = trainer.state.logHistory.filter((e) => 'loss' in e).map((e) => e.loss!);
      expect(losses.length).toBe(3);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(out.globalStep).toBe(3);
      trainer.dispose();
      model.dispose();
    });
  });
}
