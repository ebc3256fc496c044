// BERT and RoBERTa loading and saving: HF's bytes on save, the published checkpoints' layouts (BERT's pre-training
// heads, RoBERTa's lm_head, old LayerNorm gamma/beta names, position_ids / token_type_ids buffers, with or without a
// pooler), F16 / BF16 weights upcast; the registry's errors; input checks (token types, RoBERTa's positions).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import { goldenPath, readGoldenJson, readGoldenTensors } from './distilbert.helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'webtune-bert-io-'));
const quiet = { onWarning: () => {} };
type Raw = { dtype: string; shape: number[]; bytes: Uint8Array };

beforeAll(async () => {
  await gpu();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A safetensors file of any dtype, written by hand (the library writes F32/I32/I64 only). */
function rawSafetensors(tensors: Record<string, Raw>): Uint8Array {
  let offset = 0;
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.length] };
    offset += t.bytes.length;
  }
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (text.length % 8)) % 8);
  const out = new Uint8Array(8 + text.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(new TextEncoder().encode(text), 8);
  let at = 8 + text.length;
  for (const t of Object.values(tensors)) (out.set(t.bytes, at), (at += t.bytes.length));
  return out;
}

/** Bitwise equality of float arrays (fast where toEqual walks a million elements). */
const same = (a: Float32Array | undefined, b: Float32Array): boolean =>
  a !== undefined &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const f32 = (shape: number[], data: Float32Array): Raw => ({
  dtype: 'F32',
  shape,
  bytes: new Uint8Array(data.buffer.slice(0)),
});

function modelDir(name: string, config: object, weights: Uint8Array): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'model.safetensors'), weights);
  return dir;
}

describe('BERT / RoBERTa save and load', () => {
  for (const dir of ['tiny-bert', 'tiny-roberta']) {
    it(`${dir}: load → save gives HF's exact bytes (model.safetensors, config.json); save → load is identical`, async () => {
      const model = await wt.AutoModelForSequenceClassification.fromPretrained(goldenPath(dir));
      const files = await model.saveFiles();
      expect(
        Buffer.from(files.get('model.safetensors')!).equals(readFileSync(goldenPath(`${dir}/model.safetensors`))),
      ).toBe(true);
      expect(new TextDecoder().decode(files.get('config.json')!)).toBe(
        readFileSync(goldenPath(`${dir}/config.json`), 'utf8'),
      );
      const out = join(tmp, `${dir}-saved`);
      await wt.savePretrained(model, out);
      const again = await wt.AutoModelForSequenceClassification.fromPretrained(out);
      expect(again.className).toBe(model.className);
      const [a, b] = [await again.stateDict(), await model.stateDict()];
      expect([...a.keys()]).toEqual([...b.keys()]);
      for (const [name, v] of b) expect(same(a.get(name), v), name).toBe(true);
      model.dispose();
      again.dispose();
    });
  }

  it("BERT's pre-training layout (bert-base-uncased): cls.* heads unexpected, gamma/beta renamed, buffers ignored, new classifier", async () => {
    const golden = readGoldenTensors('tiny-bert/model.safetensors');
    const tensors: Record<string, Raw> = {};
    for (const [name, t] of golden) {
      if (name.startsWith('classifier.')) continue;
      // Early TF ports name LayerNorm parameters gamma / beta.
      const old = name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta');
      tensors[old] = f32(t.shape, t.data);
    }
    const ids = new BigInt64Array(128).map((_, i) => BigInt(i));
    tensors['bert.embeddings.position_ids'] = { dtype: 'I64', shape: [1, 128], bytes: new Uint8Array(ids.buffer) };
    for (const [name, shape] of [
      ['cls.predictions.bias', [30522]],
      ['cls.predictions.transform.dense.weight', [32, 32]],
      ['cls.predictions.transform.dense.bias', [32]],
      ['cls.predictions.transform.LayerNorm.gamma', [32]],
      ['cls.predictions.transform.LayerNorm.beta', [32]],
      ['cls.seq_relationship.weight', [2, 32]],
      ['cls.seq_relationship.bias', [2]],
    ] as const)
      tensors[name] = f32([...shape], new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5));
    const config = { ...readGoldenJson('tiny-bert/config.json'), architectures: ['BertForPreTraining'] };
    delete config.id2label;
    delete config.label2id;
    const dir = modelDir('bert-pretraining', config, rawSafetensors(tensors));
    const warnings: string[] = [];
    const infos: string[] = [];
    const model = await wt.AutoModelForSequenceClassification.fromPretrained(dir, {
      onWarning: (m) => warnings.push(m),
      onInfo: (m) => infos.push(m),
    });
    expect(model.loadingInfo.missingKeys).toEqual(['classifier.bias', 'classifier.weight']);
    expect(model.loadingInfo.unexpectedKeys).toEqual([
      'cls.predictions.bias',
      'cls.predictions.transform.LayerNorm.bias',
      'cls.predictions.transform.LayerNorm.weight',
      'cls.predictions.transform.dense.bias',
      'cls.predictions.transform.dense.weight',
      'cls.seq_relationship.bias',
      'cls.seq_relationship.weight',
    ]);
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toContain(
      'Some weights of BertForSequenceClassification were not initialized from the model checkpoint at',
    );
    expect(infos[0]).toContain(
      "were not used when initializing BertForSequenceClassification: ['cls.predictions.bias'",
    );
    const state = await model.stateDict();
    for (const [name, t] of golden)
      if (!name.startsWith('classifier.')) expect(same(state.get(name), t.data), name).toBe(true);
    expect(state.get('classifier.bias')!.every((x) => x === 0)).toBe(true);
    model.dispose();
  });

  it("RoBERTa's MLM layout (roberta-base): lm_head unexpected, no pooler in the classifier, the base model reports its pooler missing", async () => {
    const golden = readGoldenTensors('tiny-roberta/model.safetensors');
    const tensors: Record<string, Raw> = {};
    for (const [name, t] of golden) if (!name.startsWith('classifier.')) tensors[name] = f32(t.shape, t.data);
    for (const [name, shape] of [
      ['lm_head.bias', [2000]],
      ['lm_head.dense.weight', [32, 32]],
      ['lm_head.dense.bias', [32]],
      ['lm_head.layer_norm.weight', [32]],
      ['lm_head.layer_norm.bias', [32]],
    ] as const)
      tensors[name] = f32([...shape], new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.25));
    const dir = modelDir(
      'roberta-mlm',
      { ...readGoldenJson('tiny-roberta/config.json'), architectures: ['RobertaForMaskedLM'] },
      rawSafetensors(tensors),
    );
    const cls = await wt.AutoModelForSequenceClassification.fromPretrained(dir, quiet);
    expect(cls.className).toBe('RobertaForSequenceClassification');
    expect(cls.loadingInfo.missingKeys).toEqual([
      'classifier.dense.bias',
      'classifier.dense.weight',
      'classifier.out_proj.bias',
      'classifier.out_proj.weight',
    ]);
    expect(cls.loadingInfo.unexpectedKeys).toEqual([
      'lm_head.bias',
      'lm_head.dense.bias',
      'lm_head.dense.weight',
      'lm_head.layer_norm.bias',
      'lm_head.layer_norm.weight',
    ]);
    const base = await wt.AutoModel.fromPretrained(dir, quiet);
    expect(base.className).toBe('RobertaModel');
    expect(base.loadingInfo.missingKeys).toEqual(['pooler.dense.bias', 'pooler.dense.weight']);
    expect((await base.stateDict()).get('encoder.layer.1.output.dense.weight')).toEqual(
      golden.get('roberta.encoder.layer.1.output.dense.weight')!.data,
    );
    cls.dispose();
    base.dispose();
  });

  it('F16 and BF16 weights are upcast to float32 exactly', async () => {
    const golden = readGoldenTensors('tiny-bert/model.safetensors');
    const tensors: Record<string, Raw> = {};
    const expected = new Map<string, Float32Array>();
    let i = 0;
    for (const [name, t] of golden) {
      const bits = new Uint16Array(t.data.length);
      if (i++ % 2 === 0) {
        // BF16: the top half of each float32.
        const words = new Uint32Array(t.data.buffer.slice(0));
        words.forEach((w, k) => (bits[k] = w >>> 16));
        expected.set(name, new Float32Array(Uint32Array.from(bits, (b) => b << 16).buffer));
        tensors[name] = { dtype: 'BF16', shape: t.shape, bytes: new Uint8Array(bits.buffer) };
      } else {
        // F16: normal numbers with random signs, exponents and mantissas.
        const r = wt.seededRandom(i);
        bits.forEach(
          (_, k) => (bits[k] = (r() < 0.5 ? 0x8000 : 0) | ((1 + Math.floor(r() * 20)) << 10) | Math.floor(r() * 1024)),
        );
        expected.set(
          name,
          Float32Array.from(bits, (b) => wt.f16BitsToFloat(b)),
        );
        tensors[name] = { dtype: 'F16', shape: t.shape, bytes: new Uint8Array(bits.buffer) };
      }
    }
    const dir = modelDir('half', readGoldenJson('tiny-bert/config.json'), rawSafetensors(tensors));
    const model = await wt.AutoModelForSequenceClassification.fromPretrained(dir);
    expect(model.loadingInfo.missingKeys).toEqual([]);
    const state = await model.stateDict();
    for (const [name, want] of expected) expect(same(state.get(name), want), name).toBe(true);
    model.dispose();
  });

  it('a BERT checkpoint without a pooler gets one initialised, reported as missing', async () => {
    const golden = readGoldenTensors('tiny-bert/model.safetensors');
    const bare: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [name, t] of golden) if (name.startsWith('bert.') && !name.includes('pooler')) bare[name.slice(5)] = t;
    const dir = modelDir('bert-no-pooler', readGoldenJson('tiny-bert/config.json'), wt.serializeSafetensors(bare));
    const model = await wt.BertForSequenceClassification.fromPretrained(dir, quiet);
    expect(model.loadingInfo.missingKeys).toEqual([
      'bert.pooler.dense.bias',
      'bert.pooler.dense.weight',
      'classifier.bias',
      'classifier.weight',
    ]);
    expect(model.loadingInfo.unexpectedKeys).toEqual([]);
    const base = await wt.BertModel.fromPretrained(dir, quiet);
    expect(base.loadingInfo.missingKeys).toEqual(['pooler.dense.bias', 'pooler.dense.weight']);
    model.dispose();
    base.dispose();
  });
});

describe('the registry and the Auto classes', () => {
  it('dispatch on model_type; an unknown type lists the known ones', async () => {
    const distil = await wt.AutoModelForSequenceClassification.fromPretrained(goldenPath('tiny-distilbert'));
    expect(distil).toBeInstanceOf(wt.DistilBertForSequenceClassification);
    const body = await wt.AutoModel.fromPretrained(goldenPath('tiny-distilbert'), quiet);
    expect(body).toBeInstanceOf(wt.DistilBertModel);
    expect(body.loadingInfo.unexpectedKeys).toEqual([
      'classifier.bias',
      'classifier.weight',
      'pre_classifier.bias',
      'pre_classifier.weight',
    ]);
    const whole = await distil.stateDict();
    for (const [name, v] of await body.stateDict()) expect(same(v, whole.get(`distilbert.${name}`)!), name).toBe(true);
    expect(await wt.AutoConfig.fromPretrained(goldenPath('tiny-roberta'))).toBeInstanceOf(wt.RobertaConfig);
    expect(wt.AutoConfig.forModel('bert', { hidden_size: 64, num_attention_heads: 4 })).toBeInstanceOf(wt.BertConfig);
    expect(wt.knownModelTypes()).toEqual(['distilbert', 'bert', 'roberta']);
    const dir = modelDir('gpt2', { model_type: 'gpt2', n_embd: 8 }, new Uint8Array(0));
    await expect(wt.AutoModel.fromPretrained(dir)).rejects.toThrow(
      /config\.json: "model_type": model_type "gpt2" is not supported; webtune knows distilbert, bert, roberta/,
    );
    await expect(wt.AutoConfig.fromPretrained(dir)).rejects.toThrow(/webtune knows distilbert, bert, roberta/);
    expect(() => wt.AutoConfig.forModel('t5')).toThrow(
      /AutoConfig\.forModel: model_type "t5" is not supported; webtune knows distilbert, bert, roberta/,
    );
    const noType = modelDir(
      'no-type',
      { architectures: ['BertForMaskedLM'], hidden_size: 32, num_attention_heads: 4 },
      new Uint8Array(0),
    );
    expect(await wt.AutoConfig.fromPretrained(noType)).toBeInstanceOf(wt.BertConfig);
    // A family's own class refuses another family's config, pointing at the Auto classes.
    await expect(wt.BertModel.fromPretrained(goldenPath('tiny-roberta'))).rejects.toThrow(
      /"model_type" is "roberta", but this is a BERT config \(the Auto classes/,
    );
    distil.dispose();
    body.dispose();
  });

  it('config checks name the file and the field', () => {
    const base = readGoldenJson('tiny-bert/config.json');
    const bad =
      (patch: object, cls: typeof wt.BertConfig = wt.BertConfig) =>
      () =>
        cls.fromJSON({ ...base, ...patch }, 'dir/config.json');
    expect(bad({ hidden_act: 'swish2' })).toThrow(
      /dir\/config\.json: "hidden_act" "swish2" is not supported \(use one of gelu, relu, silu, gelu_new\)/,
    );
    expect(bad({ is_decoder: true })).toThrow(/"is_decoder": true is not supported/);
    expect(bad({ position_embedding_type: 'relative_key' })).toThrow(
      /"position_embedding_type" "relative_key" is not supported/,
    );
    expect(bad({ hidden_size: 30 })).toThrow(/"hidden_size" \(30\) must be divisible by "num_attention_heads" \(4\)/);
    expect(bad({ layer_norm_eps: 0 })).toThrow(/"layer_norm_eps" must be > 0/);
    expect(bad({ classifier_dropout: 2 })).toThrow(/"classifier_dropout" must be a probability/);
    const roberta = { ...readGoldenJson('tiny-roberta/config.json') };
    expect(() => wt.RobertaConfig.fromJSON({ ...roberta, pad_token_id: null }, 'r.json')).toThrow(
      /r\.json: "pad_token_id" must be an id: RoBERTa numbers positions/,
    );
    expect(() => wt.RobertaConfig.fromJSON({ ...roberta, max_position_embeddings: 2 }, 'r.json')).toThrow(
      /leaves no position for a token/,
    );
    // An old config's extra keys survive a round trip; RoBERTa's defaults differ from BERT's.
    const old = wt.BertConfig.fromJSON(
      { ...base, position_embedding_type: 'absolute', gradient_checkpointing: false },
      'c.json',
    );
    expect(old.toJSON()).toMatchObject({
      position_embedding_type: 'absolute',
      gradient_checkpointing: false,
      model_type: 'bert',
    });
    const r = new wt.RobertaConfig({ hidden_size: 32, num_attention_heads: 4 });
    expect([r.pad_token_id, r.bos_token_id, r.eos_token_id, r.vocab_size, r.toJSON().model_type]).toEqual([
      1,
      0,
      2,
      50265,
      'roberta',
    ]);
  });
});

describe('BERT / RoBERTa inputs', () => {
  it('token types are checked, defaulted to 0 and refused by DistilBERT; RoBERTa positions need host ids', async () => {
    const bert = await wt.AutoModelForSequenceClassification.fromPretrained(goldenPath('tiny-bert'));
    const ids = [[101, 2023, 102, 2003, 102]];
    expect(() => bert.forward({ inputIds: ids, tokenTypeIds: [[0, 0, 0, 2, 1]] })).toThrow(
      'token_type_ids[0][3] = 2 is out of range: expected a type id in [0, 2) (type_vocab_size)',
    );
    expect(() => bert.forward({ inputIds: ids, tokenTypeIds: [[0, 0]] })).toThrow(
      'token_type_ids [1,2] must have the shape of input_ids [1,5]',
    );
    const [omitted, zeros, ones] = await wt.tidyAsync(async () => {
      const run = (types?: number[][]) =>
        wt.noGrad(() => bert.forward({ inputIds: ids, tokenTypeIds: types }).logits.array());
      return Promise.all([run(), run([[0, 0, 0, 0, 0]]), run([[0, 0, 0, 1, 1]])]);
    });
    expect(zeros).toEqual(omitted);
    expect(ones).not.toEqual(omitted);

    const distil = await wt.AutoModelForSequenceClassification.fromPretrained(goldenPath('tiny-distilbert'));
    expect(() => distil.forward({ inputIds: ids, tokenTypeIds: [[0, 0, 0, 1, 1]] })).toThrow(
      /"tokenTypeIds": DistilBERT has no token type embeddings \(its tokenizer gives no token_type_ids\): leave them out/,
    );
    const body = await wt.AutoModel.fromPretrained(goldenPath('tiny-bert'), quiet);
    expect(() => body.forward({ inputIds: ids, labels: [1] } as never)).toThrow(
      /"labels": BertModel has no head and computes no loss: use BertForSequenceClassification/,
    );

    const roberta = await wt.AutoModelForSequenceClassification.fromPretrained(goldenPath('tiny-roberta'));
    expect(() => roberta.forward({ inputIds: wt.tensor(Int32Array.of(0, 5, 2), [1, 3]) })).toThrow(
      /numbers positions from the ids on the host/,
    );
    expect(() => roberta.forward({ inputIds: { data: new Int32Array(129), shape: [1, 129] } })).toThrow(
      /sequence length 129 exceeds the 128 tokens RoBERTa's max_position_embeddings = 130 hold/,
    );
    expect(roberta.maxSequenceLength).toBe(128);
    // Padding (id 1) keeps position padding_idx, wherever it sits: the same row padded or not gives the same logits.
    const [short, padded] = await wt.tidyAsync(() =>
      Promise.all([
        wt.noGrad(() => roberta.forward({ inputIds: [[0, 55, 88, 2]] }).logits.data()),
        wt.noGrad(() =>
          roberta
            .forward({ inputIds: [[0, 55, 88, 2, 1, 1]], attentionMask: [[1, 1, 1, 1, 0, 0]], skipPadding: false })
            .logits.data(),
        ),
      ]),
    );
    expect(Math.max(...Array.from(short, (v, i) => Math.abs(v - padded[i]!)))).toBeLessThan(1e-6);
    [bert, distil, body, roberta].forEach((m) => m.dispose());
  });

  it('fromConfig initialises as HF _init_weights, padding rows zero (RoBERTa: the position table too)', async () => {
    const config = new wt.RobertaConfig({
      vocab_size: 50,
      hidden_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      intermediate_size: 32,
      max_position_embeddings: 20,
    });
    const model = wt.AutoModelForSequenceClassification.fromConfig(config, { seed: 3 });
    expect(model).toBeInstanceOf(wt.RobertaForSequenceClassification);
    expect(model.training).toBe(true);
    const s = await model.stateDict();
    expect(
      s
        .get('roberta.embeddings.word_embeddings.weight')!
        .subarray(16, 32)
        .every((x) => x === 0),
    ).toBe(true); // pad 1
    expect(
      s
        .get('roberta.embeddings.position_embeddings.weight')!
        .subarray(16, 32)
        .every((x) => x === 0),
    ).toBe(true);
    expect(s.get('roberta.embeddings.token_type_embeddings.weight')!.length).toBe(2 * 16);
    expect(s.get('classifier.out_proj.bias')!.every((x) => x === 0)).toBe(true);
    expect(s.get('roberta.encoder.layer.0.output.LayerNorm.weight')!.every((x) => x === 1)).toBe(true);
    expect([...s.keys()]).toEqual(wt.robertaParameterShapes(config, { withHead: true }).map(([n]) => n));
    const bert = wt.BertModel.fromConfig({
      vocab_size: 50,
      hidden_size: 16,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      intermediate_size: 32,
    });
    expect(bert.namedParameters().map(([n, p]) => [n, p.shape])).toEqual(
      wt.bertParameterShapes(bert.config, { withHead: false }),
    );
    expect(() => wt.BertModel.fromConfig(null as never)).toThrow(
      /BertModel\.fromConfig: config must be a BertConfig or its fields \(\{ hidden_size, num_hidden_layers, … \}\), got null/,
    );
    model.dispose();
    bert.dispose();
  });
});

describe('DistilBertConfig answers to the generic names (HF attribute_map)', () => {
  it('hidden_size, num_hidden_layers, num_attention_heads read and write dim, n_layers, n_heads', () => {
    const c = wt.AutoConfig.forModel('distilbert', {
      hidden_size: 64,
      num_hidden_layers: 3,
      num_attention_heads: 4,
    }) as wt.DistilBertConfig;
    expect([c.dim, c.n_layers, c.n_heads]).toEqual([64, 3, 4]);
    expect([c.hidden_size, c.num_hidden_layers, c.num_attention_heads]).toEqual([64, 3, 4]);
    expect(c.toJSON()).not.toHaveProperty('hidden_size');
  });
});
