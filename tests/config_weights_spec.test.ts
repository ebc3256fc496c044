import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSafetensors } from '../src/io/safetensors.js';
import { DistilBertConfig } from '../src/models/distilbert/config.js';
import {
  decayParameterNames,
  distilBertParameterShapes,
  matchCheckpointNames,
} from '../src/models/distilbert/weights_spec.js';

const shared = (rel: string): string => fileURLToPath(new URL(`../../shared/${rel}`, import.meta.url));
const readJson = (rel: string): any => JSON.parse(readFileSync(shared(rel), 'utf8'));
const configOf = (rel: string): DistilBertConfig => DistilBertConfig.fromJSON(readJson(rel), rel);
const shapesOf = (rel: string): Map<string, number[]> => {
  const file = parseSafetensors(new Uint8Array(readFileSync(shared(rel))), rel);
  return new Map([...file.tensors].map(([k, t]) => [k, [...t.shape]]));
};

describe('DistilBERT parameter spec', () => {
  it('equals the tiny golden checkpoint (names and shapes), with the head', () => {
    const spec = distilBertParameterShapes(configOf('golden/tiny-distilbert/config.json'), { withHead: true });
    const file = shapesOf('golden/tiny-distilbert/model.safetensors');
    expect(spec.length).toBe(40);
    expect(new Map(spec)).toEqual(file);
  });

  it('is in named_parameters order (the order of the trajectory decay/no-decay lists)', () => {
    const traj = readJson('golden/tiny-distilbert/trajectory.json');
    const names = distilBertParameterShapes(configOf('golden/tiny-distilbert/config.json'), { withHead: true }).map(
      ([n]) => n,
    );
    const decay = new Set<string>(traj.decay_param_names);
    expect(names.filter((n) => decay.has(n))).toEqual(traj.decay_param_names);
    expect(names.filter((n) => !decay.has(n))).toEqual(traj.no_decay_param_names);
  });

  it('matches the real distilbert-base-uncased inventory for the base part, names, shapes and order', () => {
    const info = readJson('golden/tiny-distilbert-mlm/loading_info.json');
    const inventory: Array<[string, number[]]> = Object.entries(info.distilbert_base_uncased_state_dict_shapes);
    const base = inventory.filter(([n]) => n.startsWith('distilbert.'));
    const spec = distilBertParameterShapes(configOf('models/distilbert-base-uncased/config.json'), { withHead: false });
    expect(spec).toEqual(base);
    expect(spec.length).toBe(100);
  });

  it('sizes the classifier by num_labels', () => {
    const spec = new Map(distilBertParameterShapes(new DistilBertConfig({ num_labels: 5 }), { withHead: true }));
    expect(spec.get('classifier.weight')).toEqual([5, 768]);
    expect(spec.get('pre_classifier.weight')).toEqual([768, 768]);
    expect(spec.get('distilbert.transformer.layer.5.ffn.lin1.weight')).toEqual([3072, 768]);
  });
});

describe('from_pretrained name matching', () => {
  const tinyConfig = configOf('golden/tiny-distilbert/config.json');

  it('MLM checkpoint → sequence classifier: missing and unexpected keys equal HF loading_info.json', () => {
    const info = readJson('golden/tiny-distilbert-mlm/loading_info.json');
    const file = shapesOf('golden/tiny-distilbert-mlm/model.safetensors');
    expect([...file.keys()].sort()).toEqual([...info.file_tensor_names].sort());
    const config = DistilBertConfig.fromJSON(readJson('golden/tiny-distilbert-mlm/config.json'), 'config.json', {
      numLabels: 2,
    });
    const match = matchCheckpointNames(file, config);
    expect(match.missingKeys).toEqual(info.missing_keys);
    expect(match.unexpectedKeys).toEqual(info.unexpected_keys);
    expect(match.mismatched).toEqual(info.mismatched_keys);
    expect(match.mapping.size).toBe(36);
    expect(match.mapping.get('distilbert.embeddings.word_embeddings.weight')).toBe(
      'distilbert.embeddings.word_embeddings.weight',
    );
  });

  it('the full real distilbert-base-uncased layout gives the same kind of report', () => {
    const info = readJson('golden/tiny-distilbert-mlm/loading_info.json');
    const shapes = new Map<string, number[]>(Object.entries(info.distilbert_base_uncased_state_dict_shapes));
    shapes.delete('vocab_projector.weight'); // tied: not stored by save_pretrained
    const match = matchCheckpointNames(shapes, configOf('models/distilbert-base-uncased/config.json'));
    expect(match.missingKeys).toEqual([
      'classifier.bias',
      'classifier.weight',
      'pre_classifier.bias',
      'pre_classifier.weight',
    ]);
    expect(match.unexpectedKeys).toEqual(info.unexpected_keys);
    expect(match.mapping.size).toBe(100);
  });

  it('a bare DistilBertModel checkpoint (no prefix) gets the prefix added; position_ids buffer is ignored', () => {
    const file = new Map<string, number[]>();
    for (const [name, shape] of distilBertParameterShapes(tinyConfig, { withHead: false })) {
      file.set(name.slice('distilbert.'.length), shape);
    }
    file.set('embeddings.position_ids', [1, 64]);
    file.set('embeddings.LayerNorm.gamma', file.get('embeddings.LayerNorm.weight')!);
    file.delete('embeddings.LayerNorm.weight');
    const match = matchCheckpointNames(file, tinyConfig);
    expect(match.missingKeys).toEqual([
      'classifier.bias',
      'classifier.weight',
      'pre_classifier.bias',
      'pre_classifier.weight',
    ]);
    expect(match.unexpectedKeys).toEqual([]);
    expect(match.mapping.get('distilbert.transformer.layer.1.ffn.lin2.weight')).toBe(
      'transformer.layer.1.ffn.lin2.weight',
    );
    expect(match.mapping.get('distilbert.embeddings.LayerNorm.weight')).toBe('embeddings.LayerNorm.gamma');
  });

  it('the tiny classifier checkpoint loads completely', () => {
    const match = matchCheckpointNames(shapesOf('golden/tiny-distilbert/model.safetensors'), tinyConfig);
    expect(match.missingKeys).toEqual([]);
    expect(match.unexpectedKeys).toEqual([]);
    expect(match.mapping.size).toBe(40);
  });

  it('a shape mismatch is an error listing tensor, expected and found shapes', () => {
    const config = DistilBertConfig.fromJSON(readJson('golden/tiny-distilbert/config.json'), 'c.json', {
      numLabels: 3,
    });
    const file = shapesOf('golden/tiny-distilbert/model.safetensors');
    expect(() => matchCheckpointNames(file, config, { fileName: 'dir/model.safetensors' })).toThrow(
      /dir\/model\.safetensors: size mismatch[\s\S]*classifier\.weight: checkpoint has \[2, 32\], model expects \[3, 32\][\s\S]*classifier\.bias: checkpoint has \[2\], model expects \[3\]/,
    );
    const match = matchCheckpointNames(file, config, { ignoreMismatchedSizes: true });
    expect(match.mismatched).toEqual([
      { name: 'classifier.weight', expected: [3, 32], found: [2, 32] },
      { name: 'classifier.bias', expected: [3], found: [2] },
    ]);
    expect(match.mapping.has('classifier.weight')).toBe(false);
    expect(match.missingKeys).toEqual([]);
  });
});

describe('weight decay groups (Trainer.get_decay_parameter_names, 4.57.6)', () => {
  it('equals trajectory.json decay / no-decay lists', () => {
    const traj = readJson('golden/tiny-distilbert/trajectory.json');
    const names = distilBertParameterShapes(configOf('golden/tiny-distilbert/config.json'), { withHead: true }).map(
      ([n]) => n,
    );
    const decay = decayParameterNames(names);
    expect(decay).toEqual(traj.decay_param_names);
    expect(names.filter((n) => !decay.includes(n))).toEqual(traj.no_decay_param_names);
    expect(decay.length).toBe(16);
  });

  it('applies the name patterns to other names too', () => {
    expect(
      decayParameterNames(
        ['a.norm.weight', 'x.q_norm.weight', 'rmsnorm.scale', 'normal.weight', 'enormous.weight'],
        () => false,
      ),
    ).toEqual(['normal.weight', 'enormous.weight']);
  });
});
