// How from_pretrained (transformers 4.57.6) matches a checkpoint's tensor names to a model's, for any family, and
// which parameters Trainer decays. Pure data: no tensors, so the loader, the model and the optimizer agree on names
// before any GPU work.
import { compareCodePoints } from '../../io/safetensors_format.js';

/** What a model class contributes to matching: its names, and the family's base_model_prefix and buffers. */
export interface MatchSpec {
  /** The class, for messages ("BertForSequenceClassification"). */
  className: string;
  /** HF's base_model_prefix ("bert"): a head model's body lives under it; a base model's names lack it. */
  prefix: string;
  /** The base model itself (BertModel), whose names carry no prefix. */
  baseModel: boolean;
  /** Non-persistent buffers relative to the base model ("embeddings.position_ids"): never loaded, never reported. */
  buffers: readonly string[];
}

export interface CheckpointMatch {
  /** Our (HF model) name → the name to read from the checkpoint, for every tensor that loads. */
  mapping: Map<string, string>;
  /** Model parameters the checkpoint lacks, sorted as HF reports them; the caller initialises them. */
  missingKeys: string[];
  /** Checkpoint tensors the model has no place for (e.g. an MLM head), sorted, after renaming. */
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
 * fileShapes: checkpoint name → shape; expected: the model's name → shape → how from_pretrained maps one onto the
 * other. A head model given a bare base-model checkpoint (no key with the prefix) adds the prefix to every key; a
 * base model given a head checkpoint strips `prefix.` (keys without it, such as the head, stay unexpected). Old
 * TF-style `LayerNorm.gamma/beta` are renamed.
 */
export function matchCheckpoint(
  fileShapes: ReadonlyMap<string, readonly number[]>,
  expected: ReadonlyMap<string, number[]>,
  spec: MatchSpec,
  options: MatchOptions = {},
): CheckpointMatch {
  const { prefix } = spec;
  // HF tests `startswith(prefix)` without the dot, so e.g. "distilbert_foo" also counts as prefixed.
  const hasPrefix = [...fileShapes.keys()].some((k) => k.startsWith(prefix));
  const renamed = new Map<string, string>(); // model-side name → file name
  for (const fileKey of fileShapes.keys()) {
    let name = fixKeyOnLoad(fileKey);
    if (!spec.baseModel && !hasPrefix) name = `${prefix}.${name}`;
    else if (spec.baseModel && name.startsWith(`${prefix}.`)) name = name.slice(prefix.length + 1);
    renamed.set(name, fileKey);
  }
  const buffers = new Set(spec.buffers.map((b) => (spec.baseModel ? b : `${prefix}.${b}`)));

  const missingKeys = [...expected.keys()].filter((k) => !renamed.has(k)).sort(compareCodePoints);
  const unexpectedKeys = [...renamed.keys()].filter((k) => !expected.has(k) && !buffers.has(k)).sort(compareCodePoints);

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
    const lines = mismatched.map(
      (m) => `  ${m.name}: checkpoint has [${m.found.join(', ')}], model expects [${m.expected.join(', ')}]`,
    );
    throw new Error(
      `${options.fileName ?? 'checkpoint'}: size mismatch loading ${spec.className}:\n${lines.join('\n')}\n` +
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

/** modules: a family's nn.LayerNorm module names → true for a parameter owned by one (HF excludes these by type). */
export function layerNormParamTest(modules: readonly string[]): (name: string) => boolean {
  return (name) => {
    const module = name.slice(0, name.lastIndexOf('.'));
    return modules.some((m) => module === m || module.endsWith(`.${m}`));
  };
}

/**
 * names (named_parameters order) → the names Trainer gives weight decay, in the same order. The rest (biases,
 * LayerNorm weights) go to the weight_decay=0 group.
 */
export function decayParameterNames(names: readonly string[], isLayerNormParam: (name: string) => boolean): string[] {
  return names.filter((n) => !isLayerNormParam(n) && !NO_DECAY_PATTERNS.some((p) => p.test(n.toLowerCase())));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
