// DistilBERT loading and saving: round trips, HF's byte layout, loading reports for base / MLM checkpoints,
// clear errors for broken files and bad inputs; init; dropout; memory over training steps.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import { serializeSafetensors } from '../src/io/safetensors.js';
import { goldenPath, readGoldenJson, readGoldenTensors } from './distilbert.helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'webtune-distilbert-'));
const tiny = goldenPath('tiny-distilbert');
const inputs = readGoldenJson('tiny-distilbert/inputs.json');
const batch = { inputIds: inputs.input_ids, attentionMask: inputs.attention_mask, labels: inputs.labels };
const quiet = { onWarning: () => {} };

beforeAll(async () => {
  await gpu();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A model dir in tmp with the tiny config.json and the given weight bytes. */
function modelDir(
  name: string,
  weights: Uint8Array,
  config: object = readGoldenJson('tiny-distilbert/config.json'),
): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'model.safetensors'), weights);
  return dir;
}

function stats(v: Float32Array): { mean: number; std: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
}

describe('DistilBERT save / load', () => {
  it("load → save gives HF's exact bytes (model.safetensors and config.json); save → load gives identical tensors", async () => {
    const model = await wt.DistilBertForSequenceClassification.fromPretrained(tiny);
    const files = await model.saveFiles();
    expect(Buffer.from(files.get('model.safetensors')!).equals(readFileSync(join(tiny, 'model.safetensors')))).toBe(
      true,
    );
    expect(new TextDecoder().decode(files.get('config.json')!)).toBe(readFileSync(join(tiny, 'config.json'), 'utf8'));

    const dir = join(tmp, 'roundtrip');
    await wt.savePretrained(model, dir);
    const again = await wt.DistilBertForSequenceClassification.fromPretrained(dir);
    expect(again.loadingInfo.missingKeys).toEqual([]);
    expect(again.config.toJSON()).toEqual(model.config.toJSON());
    const a = await model.stateDict();
    const b = await again.stateDict();
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(Buffer.from(b.get(k)!.buffer).equals(Buffer.from(v.buffer))).toBe(true);

    // loadStateDict is strict and restores values.
    const zeros = new Map([...a].map(([k, v]) => [k, new Float32Array(v.length)]));
    again.loadStateDict(zeros);
    expect((await again.stateDict()).get('classifier.weight')!.every((x) => x === 0)).toBe(true);
    again.loadStateDict(a);
    expect((await again.stateDict()).get('classifier.weight')).toEqual(a.get('classifier.weight'));
    expect(() => again.loadStateDict(new Map([...a].slice(1)))).toThrow(
      /missing keys \[distilbert.embeddings.word_embeddings.weight\]/,
    );
    model.dispose();
    again.dispose();
  });

  it('a labelled forward sets problem_type, which the saved config records (as HF after training)', async () => {
    const model = await wt.DistilBertForSequenceClassification.fromPretrained(tiny);
    expect(model.config.problem_type).toBeNull();
    wt.tidy(() => model.forward(batch).loss);
    const dir = join(tmp, 'trained');
    await model.savePretrained(dir);
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(cfg.problem_type).toBe('single_label_classification');
    expect(cfg.architectures).toEqual(['DistilBertForSequenceClassification']);
    expect(cfg.dtype).toBe('float32');
    const back = await wt.DistilBertForSequenceClassification.fromPretrained(dir);
    expect(back.config.problem_type).toBe('single_label_classification');
    model.dispose();
    back.dispose();
  });

  it('clear errors: truncated file, header length past the end, config/weight shape mismatch, missing config', async () => {
    const bytes = new Uint8Array(readFileSync(join(tiny, 'model.safetensors')));
    const truncated = modelDir('truncated', bytes.subarray(0, bytes.length - 1000));
    await expect(wt.DistilBertForSequenceClassification.fromPretrained(truncated)).rejects.toThrow(
      /truncated[\\/]model\.safetensors.*(exceed|end|cover|truncat)/i,
    );

    const badHeader = bytes.slice();
    new DataView(badHeader.buffer).setBigUint64(0, BigInt(bytes.length + 8), true);
    const pastEnd = modelDir('header-past-end', badHeader);
    await expect(wt.DistilBertForSequenceClassification.fromPretrained(pastEnd)).rejects.toThrow(
      /header-past-end[\\/]model\.safetensors: header length \d+ exceeds file size/,
    );

    const cfg = { ...readGoldenJson('tiny-distilbert/config.json'), vocab_size: 1000 };
    const mismatch = modelDir('mismatch', bytes, cfg);
    const err = await wt.DistilBertForSequenceClassification.fromPretrained(mismatch).catch((e: Error) => e);
    expect(String(err)).toMatch(/mismatch[\\/]model\.safetensors: size mismatch/);
    expect(String(err)).toContain(
      'distilbert.embeddings.word_embeddings.weight: checkpoint has [1024, 32], model expects [1000, 32]',
    );

    const noConfig = join(tmp, 'no-config');
    mkdirSync(noConfig);
    await expect(wt.DistilBertForSequenceClassification.fromPretrained(noConfig)).rejects.toThrow(
      /no-config[\\/]config\.json: file not found/,
    );
  });

  it("an MLM checkpoint (distilbert-base-uncased layout) reports HF's missing / unexpected keys and gets a new head", async () => {
    const mlm = goldenPath('tiny-distilbert-mlm');
    const info = readGoldenJson('tiny-distilbert-mlm/loading_info.json');
    const warnings: string[] = [];
    const infos: string[] = [];
    const model = await wt.DistilBertForSequenceClassification.fromPretrained(mlm, {
      numLabels: 2,
      onWarning: (w) => warnings.push(w),
      onInfo: (m) => infos.push(m),
    });
    expect(model.loadingInfo.missingKeys).toEqual(info.missing_keys);
    expect(model.loadingInfo.unexpectedKeys).toEqual(info.unexpected_keys);
    expect(model.loadingInfo.mismatchedKeys).toEqual(info.mismatched_keys);
    expect(warnings).toEqual([
      `Some weights of DistilBertForSequenceClassification were not initialized from the model checkpoint at ${mlm} and are newly initialized: ` +
        "['classifier.bias', 'classifier.weight', 'pre_classifier.bias', 'pre_classifier.weight']\n" +
        'You should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference.',
    ]);
    // The checkpoint was a DistilBertForMaskedLM, so HF logs the unused MLM head at info level only.
    expect(infos.length).toBe(1);
    expect(infos[0]).toContain(
      "were not used when initializing DistilBertForSequenceClassification: ['vocab_layer_norm.bias'",
    );

    const file = readGoldenTensors('tiny-distilbert-mlm/model.safetensors');
    const state = await model.stateDict();
    const shared = [...state.keys()].filter((name) => file.has(name));
    expect(shared.length, 'body parameters found in the MLM checkpoint').toBe(state.size - 4); // all but the new head
    for (const name of shared) expect(state.get(name), name).toEqual(file.get(name)!.data);
    const w = stats(state.get('pre_classifier.weight')!);
    expect(Math.abs(w.mean)).toBeLessThan(0.003);
    expect(w.std).toBeGreaterThan(0.017);
    expect(w.std).toBeLessThan(0.023);
    expect(state.get('classifier.weight')!.length).toBe(2 * 32);
    expect(state.get('classifier.bias')!.every((x) => x === 0)).toBe(true);
    expect(state.get('pre_classifier.bias')!.every((x) => x === 0)).toBe(true);
    model.dispose();
  });

  it('a bare DistilBertModel checkpoint (no "distilbert." prefix) loads into the body', async () => {
    const golden = readGoldenTensors('tiny-distilbert/model.safetensors');
    const bare: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [name, t] of golden) if (name.startsWith('distilbert.')) bare[name.slice('distilbert.'.length)] = t;
    const dir = modelDir('bare', serializeSafetensors(bare));
    const model = await wt.DistilBertForSequenceClassification.fromPretrained(dir, quiet);
    expect(model.loadingInfo.missingKeys).toEqual([
      'classifier.bias',
      'classifier.weight',
      'pre_classifier.bias',
      'pre_classifier.weight',
    ]);
    expect(model.loadingInfo.unexpectedKeys).toEqual([]);
    expect((await model.stateDict()).get('distilbert.transformer.layer.1.ffn.lin2.weight')).toEqual(
      golden.get('distilbert.transformer.layer.1.ffn.lin2.weight')!.data,
    );
    model.dispose();
  });

  it('numLabels / id2label overrides change the head; a head of another size is a shape error', async () => {
    const err = await wt.DistilBertForSequenceClassification.fromPretrained(tiny, { numLabels: 3 }).catch(
      (e: Error) => e,
    );
    expect(String(err)).toContain('classifier.weight: checkpoint has [2, 32], model expects [3, 32]');
    const mlm = await wt.DistilBertForSequenceClassification.fromPretrained(goldenPath('tiny-distilbert-mlm'), {
      id2label: { 0: 'a', 1: 'b', 2: 'c' },
      label2id: { a: 0, b: 1, c: 2 },
      ...quiet,
    });
    expect(mlm.config.num_labels).toBe(3);
    expect(mlm.config.label2id).toEqual({ a: 0, b: 1, c: 2 });
    const logits = wt.tidy(() => wt.noGrad(() => mlm.forward({ inputIds: [[101, 5, 102]] }).logits));
    expect(logits.shape).toEqual([1, 3]);
    logits.dispose();
    mlm.dispose();
  });
});

describe('DistilBERT init, inputs, dropout', () => {
  it('fromConfig initialises as HF _init_weights (seeded)', async () => {
    const config = new wt.DistilBertConfig({
      vocab_size: 100,
      dim: 16,
      n_layers: 1,
      n_heads: 2,
      hidden_dim: 32,
      max_position_embeddings: 20,
    });
    const a = wt.DistilBertForSequenceClassification.fromConfig(config, { seed: 1 });
    const b = wt.DistilBertForSequenceClassification.fromConfig(config, { seed: 1 });
    const c = wt.DistilBertForSequenceClassification.fromConfig(config, { seed: 2 });
    const sa = await a.stateDict();
    expect(await b.stateDict()).toEqual(sa);
    expect((await c.stateDict()).get('classifier.weight')).not.toEqual(sa.get('classifier.weight'));
    const words = sa.get('distilbert.embeddings.word_embeddings.weight')!;
    expect(words.subarray(0, 16).every((x) => x === 0)).toBe(true); // padding row
    expect(stats(words.subarray(16)).std).toBeCloseTo(0.02, 2);
    expect(sa.get('distilbert.embeddings.LayerNorm.weight')!.every((x) => x === 1)).toBe(true);
    expect(sa.get('distilbert.transformer.layer.0.sa_layer_norm.bias')!.every((x) => x === 0)).toBe(true);
    expect(sa.get('distilbert.transformer.layer.0.attention.q_lin.bias')!.every((x) => x === 0)).toBe(true);
    expect(stats(sa.get('distilbert.transformer.layer.0.ffn.lin1.weight')!).std).toBeCloseTo(0.02, 2);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('input checks: id range, sequence length, mask shape, labels; all input forms agree', async () => {
    const model = await wt.DistilBertForSequenceClassification.fromPretrained(tiny);
    model.eval();
    expect(() => model.forward({ inputIds: [[101, 1024, 102]] })).toThrow(
      'input_ids[0][1] = 1024 is out of range: expected an id in [0, 1024)',
    );
    expect(() => model.forward({ inputIds: [[101, -1]] })).toThrow('input_ids[0][1] = -1');
    expect(() => model.forward({ inputIds: { data: new Int32Array(65), shape: [1, 65] } })).toThrow(
      'sequence length 65 exceeds max_position_embeddings = 64',
    );
    expect(() => model.forward({ inputIds: [[1, 2]], attentionMask: [[1, 1, 1]] })).toThrow(
      'attention_mask [1,3] must have the shape of input_ids [1,2]',
    );
    expect(() => model.forward({ inputIds: [[1, 2]], labels: [2] })).toThrow('labels[0] = 2 is out of range');
    expect(() => model.forward({ inputIds: [[1, 2], [3]] })).toThrow(/row 1 has 1 entries/);
    const values = await wt.tidyAsync(async () =>
      wt.noGrad(() => {
        const flat = Int32Array.from(inputs.input_ids.flat());
        const maskFlat = Int32Array.from(inputs.attention_mask.flat());
        return [
          model.forward({ inputIds: inputs.input_ids, attentionMask: inputs.attention_mask }).logits,
          model.forward({ inputIds: { data: flat, shape: [3, 16] }, attentionMask: { data: maskFlat, shape: [3, 16] } })
            .logits,
          model.forward({
            inputIds: wt.tensor(flat, [3, 16]),
            attentionMask: wt.tensor(maskFlat, [3, 16]),
            labels: wt.tensor(Int32Array.from(inputs.labels)),
          }).logits,
        ];
      }),
    );
    const arrays = await Promise.all(values.map((t) => t.array()));
    expect(arrays[1]).toEqual(arrays[0]);
    expect(arrays[2]).toEqual(arrays[0]);
    values.forEach((t) => t.dispose());
    // No mask = all ones (row 0 has no padding).
    const noMask = wt.tidy(() => wt.noGrad(() => model.forward({ inputIds: [inputs.input_ids[0]] }).logits));
    const rowMasked = (await noMask.array()).map((v, i) => v - arrays[0][i]);
    expect(Math.max(...rowMasked.map(Math.abs))).toBeLessThan(1e-6);
    noMask.dispose();
    model.dispose();
  });

  it('dropout: on in train(), off in eval(); reproducible from the rng state', async () => {
    const model = await wt.DistilBertForSequenceClassification.fromPretrained(tiny);
    const run = (): Promise<number[]> => wt.tidyAsync(() => wt.noGrad(() => model.forward(batch).logits).array());
    model.eval();
    const e1 = await run();
    expect(model.dropoutRng.offset).toBe(0); // eval runs no dropout kernel at all
    expect(await run()).toEqual(e1);
    model.train();
    expect(model.distilbert.layers[0].attention.dropout.training).toBe(true);
    const state = model.dropoutRng.state();
    const t1 = await run();
    expect(model.dropoutRng.offset).toBeGreaterThan(state.offset);
    const t2 = await run();
    expect(t1).not.toEqual(e1);
    expect(t2).not.toEqual(t1);
    model.dropoutRng.offset = state.offset;
    expect(await run()).toEqual(t1);
    model.dispose();
  });

  it('training steps (train mode, dropout on) inside tidy leak no GPU memory', async () => {
    const model = await wt.DistilBertForSequenceClassification.fromPretrained(tiny);
    model.train();
    const opt = new wt.AdamW(model.optimizerGroups(0.01), { lr: 1e-3 });
    const step = (): Promise<number> =>
      wt.tidyAsync(async () => {
        const { loss } = model.forward(batch);
        wt.backward(loss!);
        const normAndCoef = wt.clipGradNorm(model.parameters(), 1.0);
        opt.stepWith(1e-3);
        model.zeroGrad();
        void normAndCoef;
        return loss!.item();
      });
    await step();
    await step();
    await wt.runtime().sync();
    const before = wt.memory();
    const losses: number[] = [];
    for (let i = 0; i < 4; i++) losses.push(await step());
    await wt.runtime().sync();
    const after = wt.memory();
    console.log('memory before / after 4 train steps', before, after);
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(after.bytesAllocated).toBe(before.bytesAllocated);
    expect(losses.every(Number.isFinite)).toBe(true);
    opt.dispose();
    model.dispose();
  });
});
