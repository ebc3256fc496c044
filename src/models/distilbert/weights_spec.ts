// What DistilBertForSequenceClassification's parameters are called and shaped in Hugging Face
// checkpoints, how from_pretrained (transformers 4.57.6) matches a checkpoint's names to them, and
// which of them Trainer decays. Pure data: no tensors, so the loader, the model and the optimizer
// can agree on names before any GPU work.

import { compareCodePoints } from '../../io/safetensors_format.js';
import type { DistilBertConfig } from './config.js';

/** A parameter's HF name and shape; Linear weights are [out, in] as torch stores them. */
export type ParameterShape = [name: string, shape: number[]];

const PREFIX = 'distilbert';

/**
 * config → [name, shape][] in torch's `named_parameters()` order (= state_dict order, = creation order).
 * Names carry the `distilbert.` prefix either way; withHead adds pre_classifier and classifier.
 */
export function distilBertParameterShapes(config: DistilBertConfig, { withHead }: { withHead: boolean }): ParameterShape[] {
  const { dim, hidden_dim: hidden, vocab_size: vocab, max_position_embeddings: positions, n_layers: layers } = config;
  const out: ParameterShape[] = [
    [`${PREFIX}.embeddings.word_embeddings.weight`, [vocab, dim]],
    [`${PREFIX}.embeddings.position_embeddings.weight`, [positions, dim]],
    [`${PREFIX}.embeddings.LayerNorm.weight`, [dim]],
    [`${PREFIX}.embeddings.LayerNorm.bias`, [dim]],
  ];
  const linear = (name: string, inFeatures: number, outFeatures: number): void => {
    out.push([`${name}.weight`, [outFeatures, inFeatures]], [`${name}.bias`, [outFeatures]]);
  };
  const layerNorm = (name: string): void => {
    out.push([`${name}.weight`, [dim]], [`${name}.bias`, [dim]]);
  };
  for (let i = 0; i < layers; i++) {
    const layer = `${PREFIX}.transformer.layer.${i}`;
    for (const proj of ['q_lin', 'k_lin', 'v_lin', 'out_lin']) linear(`${layer}.attention.${proj}`, dim, dim);
    layerNorm(`${layer}.sa_layer_norm`);
    linear(`${layer}.ffn.lin1`, dim, hidden);
    linear(`${layer}.ffn.lin2`, hidden, dim);
    layerNorm(`${layer}.output_layer_norm`);
  }
  if (withHead) {
    linear('pre_classifier', dim, dim);
    linear('classifier', dim, config.num_labels);
  }
  return out;
}

/** Non-persistent buffers of the model: never saved, and silently dropped when a checkpoint has them. */
const MODEL_BUFFERS = new Set([`${PREFIX}.embeddings.position_ids`]);

export interface CheckpointMatch {
  /** Our (HF model) name → the name to read from the checkpoint, for every tensor that loads. */
  mapping: Map<string, string>;
  /** Model parameters the checkpoint lacks, sorted as HF reports them; the caller initialises them. */
  missingKeys: string[];
  /** Checkpoint tensors the model has no place for (e.g. the MLM head), sorted, after renaming. */
  unexpectedKeys: string[];
  /** Only with ignoreMismatchedSizes: tensors skipped for their shape; the caller initialises them too. */
  mismatched: Array<{ name: string; expected: number[]; found: number[] }>;
}

export interface MatchOptions {
  /** HF's ignore_mismatched_sizes: report and re-initialise instead of failing. */
  ignoreMismatchedSizes?: boolean;
  /** Where the checkpoint came from, for the error message. */
  fileName?: string;
}

/**
 * fileShapes: checkpoint name → shape; config → how from_pretrained maps it onto
 * DistilBertForSequenceClassification. A checkpoint with no `distilbert`-prefixed key is a bare
 * DistilBertModel, whose keys get the prefix added. Old TF-style `LayerNorm.gamma/beta` are renamed.
 */
export function matchCheckpointNames(
  fileShapes: ReadonlyMap<string, readonly number[]>,
  config: DistilBertConfig,
  options: MatchOptions = {},
): CheckpointMatch {
  const expected = new Map(distilBertParameterShapes(config, { withHead: true }));
  // HF tests `startswith(prefix)` without the dot, so e.g. "distilbert_foo" also counts as prefixed.
  const hasPrefix = [...fileShapes.keys()].some((k) => k.startsWith(PREFIX));

  const renamed = new Map<string, string>(); // model-side name → file name
  for (const fileKey of fileShapes.keys()) {
    const fixed = fixKeyOnLoad(fileKey);
    renamed.set(hasPrefix ? fixed : `${PREFIX}.${fixed}`, fileKey);
  }

  const missingKeys = [...expected.keys()].filter((k) => !renamed.has(k)).sort(compareCodePoints);
  const unexpectedKeys = [...renamed.keys()].filter((k) => !expected.has(k) && !MODEL_BUFFERS.has(k)).sort(compareCodePoints);

  const mapping = new Map<string, string>();
  const mismatched: CheckpointMatch['mismatched'] = [];
  for (const [name, shape] of expected) {
    const fileKey = renamed.get(name);
    if (fileKey === undefined) continue;
    const found = [...fileShapes.get(fileKey)!];
    if (sameShape(shape, found)) mapping.set(name, fileKey);
    else mismatched.push({ name, expected: shape, found });
  }
  if (mismatched.length > 0 && !options.ignoreMismatchedSizes) {
    const lines = mismatched.map((m) => `  ${m.name}: checkpoint has [${m.found.join(', ')}], model expects [${m.expected.join(', ')}]`);
    throw new Error(
      `${options.fileName ?? 'checkpoint'}: size mismatch loading DistilBertForSequenceClassification:\n${lines.join('\n')}\n` +
        'Pass ignoreMismatchedSizes to re-initialise these tensors instead (HF: ignore_mismatched_sizes=True).',
    );
  }
  return { mapping, missingKeys, unexpectedKeys, mismatched };
}

// PreTrainedModel._fix_state_dict_key_on_load: early TF ports named LayerNorm params gamma/beta.
function fixKeyOnLoad(key: string): string {
  if (key.endsWith('LayerNorm.beta')) return key.replace('LayerNorm.beta', 'LayerNorm.bias');
  if (key.endsWith('LayerNorm.gamma')) return key.replace('LayerNorm.gamma', 'LayerNorm.weight');
  return key;
}

// transformers 4.57.6 ALL_LAYERNORM_LAYERS names + Trainer.get_decay_parameter_names patterns, searched in
// the lowercased full name (the per-module recursion HF does is equivalent: every pattern allows a "." start).
const NO_DECAY_PATTERNS = [/bias/, /layernorm/, /rmsnorm/, /(?:^|\.)norm(?:$|\.)/, /_norm(?:$|\.)/];
const DISTILBERT_LAYERNORM_MODULES = ['LayerNorm', 'sa_layer_norm', 'output_layer_norm', 'vocab_layer_norm'];

/** True for a parameter owned by an nn.LayerNorm module of DistilBERT (HF excludes these by type). */
export function isDistilBertLayerNormParam(name: string): boolean {
  const module = name.slice(0, name.lastIndexOf('.'));
  return DISTILBERT_LAYERNORM_MODULES.some((m) => module === m || module.endsWith(`.${m}`));
}

/**
 * names (named_parameters order) → the names Trainer gives weight decay, in the same order. The
 * rest (biases, LayerNorm weights) go to the weight_decay=0 group.
 */
export function decayParameterNames(
  names: readonly string[],
  isLayerNormParam: (name: string) => boolean = isDistilBertLayerNormParam,
): string[] {
  return names.filter((n) => !isLayerNormParam(n) && !NO_DECAY_PATTERNS.some((p) => p.test(n.toLowerCase())));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
