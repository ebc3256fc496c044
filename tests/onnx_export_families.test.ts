// ONNX export of BERT and RoBERTa classifiers (golden/tiny-bert, golden/tiny-roberta): the inputs HF's exporters
// give each family (token_type_ids for BERT only), and the logits of HF's forward on the golden batch of sentence
// pairs through onnxruntime-node, within 1e-5. RoBERTa's positions (padding_idx + running count) are checked on a
// padded batch against our forward.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import { goldenPath, readGoldenJson, readGoldenTensors } from './distilbert.helpers.js';
import { tempDir } from './train_cli.helpers.js';

beforeAll(async () => {
  await gpu();
});

const int64 = (rows: number[][]) =>
  new ort.Tensor(
    'int64',
    BigInt64Array.from(rows.flat(), (v) => BigInt(v)),
    [rows.length, rows[0]!.length],
  );
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

for (const fam of [
  { dir: 'tiny-bert', inputs: ['input_ids', 'attention_mask', 'token_type_ids'], slow: ['vocab.txt'] },
  { dir: 'tiny-roberta', inputs: ['input_ids', 'attention_mask'], slow: ['vocab.json', 'merges.txt'] },
]) {
  describe(`ONNX export of ${fam.dir}`, () => {
    it(`takes ${fam.inputs.join(', ')} and gives HF's logits on the golden pairs (onnxruntime-node)`, async () => {
      const dir = tempDir(`onnx-${fam.dir}`);
      // The slow tokenizer layout only: the export adds the tokenizer.json transformers.js reads.
      for (const f of ['config.json', 'model.safetensors', 'tokenizer_config.json', ...fam.slow])
        copyFileSync(goldenPath(`${fam.dir}/${f}`), join(dir, f));
      const { written } = await wt.exportOnnxToDirectory(dir);
      expect(written).toEqual([join(dir, 'onnx/model.onnx'), join(dir, 'tokenizer.json')]);
      const tokenizer = await wt.AutoTokenizer.fromPretrained(dir, { use: 'tokenizer.json' });
      const golden = await wt.AutoTokenizer.fromPretrained(goldenPath(fam.dir), { use: 'tokenizer.json' });
      const text = 'A slow tokenizer, saved fast: naïve café.';
      expect(tokenizer.encode(text).inputIds).toEqual(golden.encode(text).inputIds);
      const session = await ort.InferenceSession.create(join(dir, 'onnx/model.onnx'));
      expect(session.inputNames).toEqual(fam.inputs);
      expect(session.outputNames).toEqual(['logits']);
      const batch = readGoldenJson(`${fam.dir}/inputs.json`);
      const feeds: Record<string, ort.Tensor> = {
        input_ids: int64(batch.input_ids),
        attention_mask: int64(batch.attention_mask),
      };
      if (fam.inputs.includes('token_type_ids')) feeds.token_type_ids = int64(batch.token_type_ids);
      const out = await session.run(feeds);
      const diff = maxAbsDiff(
        out.logits!.data as Float32Array,
        readGoldenTensors(`${fam.dir}/forward.safetensors`).get('logits')!.data,
      );
      console.log(`${fam.dir}: ONNX logits vs HF max |diff| ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-5);

      // Padding inside the batch: the graph's positions and mask agree with our forward.
      const model = await wt.AutoModelForSequenceClassification.fromPretrained(dir);
      const pad = model.config.pad_token_id!;
      const ids = [batch.input_ids[0].slice(0, 10), [...batch.input_ids[1].slice(0, 6), ...new Array(4).fill(pad)]];
      const mask = [new Array(10).fill(1), [...new Array(6).fill(1), ...new Array(4).fill(0)]];
      const padded = await session.run({
        ...feeds,
        input_ids: int64(ids),
        attention_mask: int64(mask),
        ...(feeds.token_type_ids ? { token_type_ids: int64(ids.map((r) => r.map(() => 0))) } : {}),
      });
      const ours = await wt.tidyAsync(() =>
        wt.noGrad(() => model.forward({ inputIds: ids, attentionMask: mask }).logits.data()),
      );
      expect(maxAbsDiff(padded.logits!.data as Float32Array, ours)).toBeLessThan(1e-5);
      model.dispose();
    });
  });
}
