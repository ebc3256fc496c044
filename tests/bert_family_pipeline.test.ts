// pipeline() with BERT and RoBERTa against Hugging Face (golden/tiny-bert, golden/tiny-roberta): text-classification
// as pipeline.json recorded it (top_k null, truncation), and feature-extraction: each text's last hidden state and
// the mean-pooled, normalised sentence embedding of features.safetensors.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import { compare, goldenPath, readGoldenJson, readGoldenTensors, report, type ErrorRow } from './distilbert.helpers.js';

const ATOL = 1e-5;
const tmp = mkdtempSync(join(tmpdir(), 'webtune-bert-pipeline-'));
const TOKENIZER_FILES = ['vocab.txt', 'vocab.json', 'merges.txt', 'tokenizer.json', 'tokenizer_config.json'];

beforeAll(async () => {
  await gpu();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * A copy of the golden directory whose weights are the ones features.safetensors came from: the body after the
 * trajectory's 3 steps (params_after_step3), saved as a base model, with the golden tokenizer files.
 */
async function steppedBaseDir(dir: string, prefix: string): Promise<string> {
  const out = join(tmp, `${dir}-stepped`);
  const base = await wt.AutoModel.fromPretrained(goldenPath(dir), { onWarning: () => {} });
  const stepped = readGoldenTensors(`${dir}/params_after_step3.safetensors`);
  const state = await base.stateDict();
  for (const name of state.keys())
    if (!name.startsWith('pooler.')) state.set(name, stepped.get(`${prefix}.${name}`)!.data);
  base.loadStateDict(state);
  await wt.savePretrained(base, out);
  base.dispose();
  for (const f of TOKENIZER_FILES)
    if (existsSync(goldenPath(`${dir}/${f}`))) copyFileSync(goldenPath(`${dir}/${f}`), join(out, f));
  return out;
}

const FAMILIES = [
  { dir: 'tiny-bert', prefix: 'bert' },
  { dir: 'tiny-roberta', prefix: 'roberta' },
] as const;

for (const fam of FAMILIES) {
  describe(`pipeline() on ${fam.dir}`, () => {
    it('text-classification: every label and score of pipeline.json (top_k null, truncation)', async () => {
      const golden = readGoldenJson(`${fam.dir}/pipeline.json`);
      const classify = await wt.pipeline('text-classification', goldenPath(fam.dir));
      expect(classify.model.className).toMatch(/ForSequenceClassification$/);
      const got = await classify(golden.texts as string[], { topK: null });
      const rows: ErrorRow[] = [];
      golden.outputs.forEach((want: wt.LabelScore[], i: number) => {
        expect(
          got[i]!.map((s) => s.label),
          `text ${i}`,
        ).toEqual(want.map((s) => s.label));
        rows.push(
          compare(
            `text ${i}`,
            got[i]!.map((s) => s.score),
            want.map((s) => s.score),
            ATOL,
          ),
        );
      });
      expect(report(`${fam.dir} pipeline.json`, rows)).toEqual([]);
      classify.dispose();
    });

    it("feature-extraction: each text's last hidden state, and mean pooling + normalize", async () => {
      const feats = readGoldenJson(`${fam.dir}/feature_inputs.json`);
      const golden = readGoldenTensors(`${fam.dir}/features.safetensors`);
      const dir = await steppedBaseDir(fam.dir, fam.prefix);
      const extract = await wt.pipeline('feature-extraction', dir, { maxLength: feats.max_length, batchSize: 3 });
      expect(extract.model.className).toMatch(/Model$/);
      const hidden = golden.get('last_hidden_state')!;
      const [, seqLen, size] = hidden.shape as [number, number, number];
      const states = (await extract(feats.texts as string[])) as unknown as number[][][];
      const rows: ErrorRow[] = [];
      states.forEach((tokens, i) => {
        const length = feats.attention_mask[i].reduce((a: number, b: number) => a + b, 0);
        expect(tokens.length, `text ${i} tokens`).toBe(length);
        rows.push(
          compare(
            `text ${i} states`,
            tokens.flat(),
            hidden.data.subarray(i * seqLen * size, (i * seqLen + length) * size),
            ATOL,
          ),
        );
      });
      const pooled = (await extract(feats.texts as string[], { pooling: 'mean', normalize: true })) as number[][];
      rows.push(compare('sentence embeddings', pooled.flat(), golden.get('sentence_embedding')!.data, ATOL));
      // A string gives one text's result; pooling given to pipeline() is the default of every call.
      const one = (await extract(feats.texts[6])) as number[][];
      rows.push(compare('one string', one.flat(), states[6]!.flat(), 1e-6));
      expect(report(`${fam.dir} feature-extraction`, rows)).toEqual([]);
      extract.dispose();
      const pooling = await wt.pipeline('feature-extraction', dir, {
        maxLength: feats.max_length,
        pooling: 'cls',
        normalize: true,
      });
      const cls = (await pooling(feats.texts[0])) as number[];
      const first = states[0]![0]!;
      const norm = Math.hypot(...first);
      expect(
        report('cls pooling', [
          compare(
            'cls',
            cls,
            first.map((v) => v / norm),
            1e-6,
          ),
        ]),
      ).toEqual([]);
      pooling.dispose();
    });
  });
}

describe('feature-extraction options', () => {
  it('refuses a bad pooling or normalize without pooling, naming the option', async () => {
    const dir = goldenPath('tiny-bert');
    await expect(wt.pipeline('feature-extraction', dir, { pooling: 'max' as never })).rejects.toThrow(
      /pooling must be 'none', 'mean' or 'cls', got "max"/,
    );
    await expect(wt.pipeline('feature-extraction', dir, { normalize: true })).rejects.toThrow(
      /normalize needs pooling 'mean' or 'cls'/,
    );
  });
});
