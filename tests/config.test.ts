import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DistilBertConfig } from '../src/models/distilbert/config.js';
import { pythonFloatRepr } from '../src/models/common/python_json.js';

const shared = (rel: string): string => fileURLToPath(new URL(`../../shared/${rel}`, import.meta.url));
const readJson = (rel: string): Record<string, unknown> => JSON.parse(readFileSync(shared(rel), 'utf8'));

describe('DistilBertConfig defaults (transformers 4.57.6)', () => {
  it('matches DistilBertConfig()', () => {
    const c = new DistilBertConfig();
    expect(c).toMatchObject({
      vocab_size: 30522,
      max_position_embeddings: 512,
      sinusoidal_pos_embds: false,
      n_layers: 6,
      n_heads: 12,
      dim: 768,
      hidden_dim: 3072,
      dropout: 0.1,
      attention_dropout: 0.1,
      activation: 'gelu',
      initializer_range: 0.02,
      qa_dropout: 0.1,
      seq_classif_dropout: 0.2,
      pad_token_id: 0,
      problem_type: null,
    });
    expect(c.num_labels).toBe(2);
    expect(c.id2label).toEqual({ 0: 'LABEL_0', 1: 'LABEL_1' });
    expect(c.label2id).toEqual({ LABEL_0: 0, LABEL_1: 1 });
    // default labels are not written (they equal PretrainedConfig's)
    expect(c.toJSON()).not.toHaveProperty('id2label');
    expect(c.toJSON()).not.toHaveProperty('architectures');
  });

  it('num_labels kwarg makes LABEL_i maps; the setter resets only when the count changes', () => {
    const c = new DistilBertConfig({ num_labels: 3 });
    expect(c.id2label).toEqual({ 0: 'LABEL_0', 1: 'LABEL_1', 2: 'LABEL_2' });
    expect(c.toJSON().id2label).toEqual({ 0: 'LABEL_0', 1: 'LABEL_1', 2: 'LABEL_2' });
    const d = new DistilBertConfig({ id2label: { 0: 'NEG', 1: 'POS' } });
    expect(d.label2id).toEqual({ NEG: 0, POS: 1 });
    d.num_labels = 2;
    expect(d.id2label).toEqual({ 0: 'NEG', 1: 'POS' });
    d.num_labels = 3;
    expect(d.id2label).toEqual({ 0: 'LABEL_0', 1: 'LABEL_1', 2: 'LABEL_2' });
  });
});

describe('config.json round trip against save_pretrained output', () => {
  for (const rel of ['golden/tiny-distilbert/config.json', 'golden/small-distilbert-realvocab/config.json']) {
    it(`${rel}: fromJSON → toJSON deep-equals, toJSONString is byte-identical`, () => {
      const text = readFileSync(shared(rel), 'utf8');
      const obj = JSON.parse(text);
      const config = DistilBertConfig.fromJSON(obj, rel);
      expect(config.id2label).toEqual({ 0: 'NEGATIVE', 1: 'POSITIVE' });
      expect(Object.keys(config.id2label).map(Number)).toEqual([0, 1]);
      expect(config.label2id).toEqual({ NEGATIVE: 0, POSITIVE: 1 });
      expect(config.num_labels).toBe(2);
      expect(config.toJSON()).toEqual(obj);
      expect(config.toJSONString()).toBe(text);
    });
  }

  it('reads the real distilbert-base-uncased config (4.10, MLM) and saves it as 4.57.6 would', () => {
    const obj = readJson('models/distilbert-base-uncased/config.json');
    const c = DistilBertConfig.fromJSON(obj, 'config.json');
    expect([c.dim, c.n_layers, c.n_heads, c.hidden_dim, c.vocab_size]).toEqual([768, 6, 12, 3072, 30522]);
    expect(c.num_labels).toBe(2);
    const out = c.toJSON();
    // unknown kwargs survive (HF stores them as attributes), the version is the writer's
    expect(out.tie_weights_).toBe(true);
    expect(out.transformers_version).toBe('4.57.6');
    expect(out.architectures).toEqual(['DistilBertForMaskedLM']);
    expect(out).not.toHaveProperty('id2label');
  });

  it('drops generic keys at their PretrainedConfig default (5.18 writes bos/eos null and tie_word_embeddings)', () => {
    const obj = readJson('golden/tiny-distilbert-mlm/config.json');
    const out = DistilBertConfig.fromJSON(obj, 'config.json').toJSON();
    expect(out).not.toHaveProperty('bos_token_id');
    expect(out).not.toHaveProperty('eos_token_id');
    expect(out).not.toHaveProperty('tie_word_embeddings');
    expect(out.dtype).toBe('float32');
  });

  it('keeps problem_type, maps torch_dtype to dtype', () => {
    const obj: Record<string, unknown> = {
      ...readJson('golden/tiny-distilbert/config.json'),
      problem_type: 'single_label_classification',
    };
    delete obj.dtype;
    obj.torch_dtype = 'float32';
    const out = DistilBertConfig.fromJSON(obj, 'c.json').toJSON();
    expect(out.problem_type).toBe('single_label_classification');
    expect(out.dtype).toBe('float32');
    expect(out).not.toHaveProperty('torch_dtype');
  });

  it('writes floats as Python does', () => {
    expect(['0.1', '0.0', '1e-05', '1.5e-07', '1e+16', '123.0', '0.0001', '0.02', '-2.5']).toEqual(
      [0.1, 0, 1e-5, 1.5e-7, 1e16, 123, 1e-4, 0.02, -2.5].map(pythonFloatRepr),
    );
    const c = new DistilBertConfig({ dropout: 0, id2label: { 0: 'négatif', 1: 'positif' } });
    const text = c.toJSONString();
    expect(text).toContain('"dropout": 0.0,');
    expect(text).toContain('"n\\u00e9gatif": 0');
  });

  it('sorts id2label keys as strings, like json.dumps(sort_keys=True)', () => {
    const text = new DistilBertConfig({ num_labels: 11 }).toJSONString();
    expect(text.indexOf('"10": "LABEL_10"')).toBeLessThan(text.indexOf('"2": "LABEL_2"'));
  });
});

describe('from_pretrained label overrides', () => {
  const obj = readJson('golden/tiny-distilbert/config.json');

  it('numLabels with a different count resets the maps to LABEL_i', () => {
    const c = DistilBertConfig.fromJSON(obj, 'c.json', { numLabels: 3 });
    expect(c.id2label).toEqual({ 0: 'LABEL_0', 1: 'LABEL_1', 2: 'LABEL_2' });
    expect(c.label2id).toEqual({ LABEL_0: 0, LABEL_1: 1, LABEL_2: 2 });
  });

  it('numLabels with the same count keeps the file labels', () => {
    expect(DistilBertConfig.fromJSON(obj, 'c.json', { numLabels: 2 }).id2label).toEqual({
      0: 'NEGATIVE',
      1: 'POSITIVE',
    });
  });

  it('id2label + label2id replace the file labels', () => {
    const c = DistilBertConfig.fromJSON(obj, 'c.json', {
      numLabels: 3,
      id2label: { 0: 'a', 1: 'b', 2: 'c' },
      label2id: { a: 0, b: 1, c: 2 },
    });
    expect(c.num_labels).toBe(3);
    expect(c.toJSON().id2label).toEqual({ 0: 'a', 1: 'b', 2: 'c' });
  });

  it('numLabels inconsistent with id2label is an error', () => {
    expect(() => DistilBertConfig.fromJSON(obj, 'c.json', { numLabels: 3, id2label: { 0: 'a', 1: 'b' } })).toThrow(
      /c\.json: numLabels=3 is incompatible with the id2label override/,
    );
  });
});

describe('config validation errors name the file and the field', () => {
  const base = readJson('golden/tiny-distilbert/config.json');
  const bad =
    (patch: Record<string, unknown>): (() => DistilBertConfig) =>
    () =>
      DistilBertConfig.fromJSON({ ...base, ...patch }, 'dir/config.json');

  it.each([
    [{ n_heads: 5 }, /dir\/config\.json: "dim" \(32\) must be divisible by "n_heads" \(5\)/],
    [{ dim: 0 }, /dir\/config\.json: "dim" must be a positive integer, got 0/],
    [{ hidden_dim: -64 }, /"hidden_dim" must be a positive integer/],
    [{ n_layers: 1.5 }, /"n_layers" must be a positive integer, got 1\.5/],
    [{ vocab_size: '1024' }, /dir\/config\.json: "vocab_size" must be a number/],
    [{ activation: 'swish2' }, /dir\/config\.json: "activation" "swish2" is not supported/],
    [{ sinusoidal_pos_embds: true }, /dir\/config\.json: "sinusoidal_pos_embds": true is not supported/],
    [{ dropout: 1.5 }, /"dropout" must be a probability/],
    [{ pad_token_id: 1024 }, /"pad_token_id" 1024 must be an id in \[0, vocab_size=1024\)/],
    [{ id2label: { zero: 'a' } }, /dir\/config\.json: "id2label" key "zero" is not an integer/],
    [{ id2label: { 0: 'a', 2: 'b' } }, /"id2label" ids must be 0\.\.1, got \[0, 2\]/],
    [{ label2id: { a: 'x' } }, /"label2id"\["a"\] must be an integer id/],
    [{ num_labels: 3 }, /dir\/config\.json: num_labels=3 disagrees with id2label/],
    [{ model_type: 'bert' }, /dir\/config\.json: "model_type" is "bert", but this is a DistilBERT config/],
    [{ problem_type: 'ranking' }, /"problem_type" "ranking" must be one of/],
  ])('%j', (patch, message) => {
    expect(bad(patch)).toThrow(message);
  });

  it('a non-object is rejected', () => {
    expect(() => DistilBertConfig.fromJSON([1], 'x.json')).toThrow('x.json: config must be a JSON object');
  });
});
