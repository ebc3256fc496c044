// DistilBertConfig with transformers 4.57.6 semantics. Field names stay HF's snake_case so code ported
// from modeling_distilbert.py reads the same and config.json maps 1:1; `toJSON()` writes what
// `save_pretrained` writes (its `to_diff_dict`), so fromJSON → toJSON reproduces HF's file.

import { CONFIG_FLOAT_KEYS, PRETRAINED_CONFIG_DEFAULTS, jsonEqual } from './config_defaults.js';
import { pythonJsonDumps } from './python_json.js';

/** Activations HF documents for DistilBERT (`ACT2FN` keys); the FFN maps the name to its function. */
export const DISTILBERT_ACTIVATIONS = ['gelu', 'relu', 'silu', 'gelu_new'] as const;
export type DistilBertActivation = (typeof DISTILBERT_ACTIVATIONS)[number];
export type ProblemType = 'regression' | 'single_label_classification' | 'multi_label_classification';
const PROBLEM_TYPES: readonly ProblemType[] = ['regression', 'single_label_classification', 'multi_label_classification'];

/** The version whose save_pretrained output we reproduce (it writes its own version, not the loaded one). */
export const TRANSFORMERS_VERSION = '4.57.6';

export interface DistilBertConfigInit {
  vocab_size?: number;
  max_position_embeddings?: number;
  sinusoidal_pos_embds?: boolean;
  n_layers?: number;
  n_heads?: number;
  dim?: number;
  hidden_dim?: number;
  dropout?: number;
  attention_dropout?: number;
  activation?: DistilBertActivation;
  initializer_range?: number;
  qa_dropout?: number;
  seq_classif_dropout?: number;
  pad_token_id?: number | null;
  /** Like the Python kwarg: used only when id2label is absent (then labels are LABEL_0..n-1). */
  num_labels?: number;
  id2label?: Record<number, string>;
  label2id?: Record<string, number>;
  problem_type?: ProblemType | null;
  architectures?: string[] | null;
  dtype?: string | null;
  /** Other keys from config.json, kept so saving writes them back (HF stores unknown kwargs as attributes). */
  extra?: Record<string, unknown>;
}

/** from_pretrained kwargs that change labels: applied after the file, in HF's order (num_labels first). */
export interface DistilBertConfigOverrides {
  numLabels?: number;
  id2label?: Record<number, string>;
  label2id?: Record<string, number>;
  problemType?: ProblemType | null;
}

export class DistilBertConfig {
  static readonly model_type = 'distilbert';
  vocab_size = 30522;
  max_position_embeddings = 512;
  sinusoidal_pos_embds = false;
  n_layers = 6;
  n_heads = 12;
  dim = 768;
  hidden_dim = 4 * 768;
  dropout = 0.1;
  attention_dropout = 0.1;
  activation: DistilBertActivation = 'gelu';
  initializer_range = 0.02;
  qa_dropout = 0.1;
  seq_classif_dropout = 0.2;
  pad_token_id: number | null = 0;
  id2label: Record<number, string> = { 0: 'LABEL_0', 1: 'LABEL_1' };
  label2id: Record<string, number> = { LABEL_0: 0, LABEL_1: 1 };
  problem_type: ProblemType | null = null;
  architectures: string[] | null = null;
  dtype: string | null = null;
  extra: Record<string, unknown> = {};

  /** init: HF constructor kwargs (snake_case) → a validated config. */
  constructor(init: DistilBertConfigInit = {}, where = 'DistilBertConfig') {
    if (init === null || typeof init !== 'object' || Array.isArray(init)) {
      throw new TypeError(`${where}: expected an object of config fields ({ dim, n_layers, … }), got ${init === null ? 'null' : typeof init}`);
    }
    const { num_labels, id2label, label2id, extra, ...fields } = init;
    Object.assign(this, stripUndefined(fields));
    this.extra = { ...(extra ?? {}) };
    if (id2label) {
      if (num_labels !== undefined && Object.keys(id2label).length !== num_labels) {
        throw new Error(`${where}: num_labels=${num_labels} disagrees with id2label, which has ${Object.keys(id2label).length} labels`);
      }
      this.id2label = { ...id2label };
      // HF leaves label2id None here; we derive it so label lookups always work (documented deviation).
      this.label2id = label2id ? { ...label2id } : invert(this.id2label);
    } else {
      this.num_labels = num_labels ?? 2;
      if (label2id) this.label2id = { ...label2id };
    }
    validateConfig(this, where);
  }

  /** [] → number of labels = size of id2label (HF's `num_labels` property). */
  get num_labels(): number {
    return Object.keys(this.id2label).length;
  }

  /** HF's setter: a different count resets both maps to LABEL_0..n-1; the same count keeps them. */
  set num_labels(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`DistilBertConfig: num_labels must be a positive integer, got ${n}`);
    if (this.num_labels === n) return;
    this.id2label = {};
    this.label2id = {};
    for (let i = 0; i < n; i++) {
      this.id2label[i] = `LABEL_${i}`;
      this.label2id[`LABEL_${i}`] = i;
    }
  }

  /** obj: parsed config.json, fileName: for errors, overrides: from_pretrained kwargs → config. */
  static fromJSON(obj: unknown, fileName: string, overrides: DistilBertConfigOverrides = {}): DistilBertConfig {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error(`${fileName}: config must be a JSON object`);
    const config = new DistilBertConfig(readInit(obj as Record<string, unknown>, fileName), fileName);
    applyOverrides(config, overrides, fileName);
    validateConfig(config, fileName);
    return config;
  }

  /** → the object save_pretrained (transformers 4.57.6) writes as config.json; id2label keys are strings. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.extra)) {
      if (!(k in PRETRAINED_CONFIG_DEFAULTS) || !jsonEqual(v, PRETRAINED_CONFIG_DEFAULTS[k])) out[k] = v;
    }
    const id2label = Object.fromEntries(Object.entries(this.id2label).map(([k, v]) => [String(k), v]));
    if (!jsonEqual(id2label, PRETRAINED_CONFIG_DEFAULTS.id2label)) out.id2label = id2label;
    if (!jsonEqual(this.label2id, PRETRAINED_CONFIG_DEFAULTS.label2id)) out.label2id = { ...this.label2id };
    if (this.architectures !== null) out.architectures = [...this.architectures];
    if (this.dtype !== null) out.dtype = this.dtype;
    if (this.problem_type !== null) out.problem_type = this.problem_type;
    Object.assign(out, {
      activation: this.activation,
      attention_dropout: this.attention_dropout,
      dim: this.dim,
      dropout: this.dropout,
      hidden_dim: this.hidden_dim,
      initializer_range: this.initializer_range,
      max_position_embeddings: this.max_position_embeddings,
      model_type: DistilBertConfig.model_type,
      n_heads: this.n_heads,
      n_layers: this.n_layers,
      // Written even when null: null differs from the class default 0, and 0 from PretrainedConfig's null.
      pad_token_id: this.pad_token_id,
      qa_dropout: this.qa_dropout,
      seq_classif_dropout: this.seq_classif_dropout,
      sinusoidal_pos_embds: this.sinusoidal_pos_embds,
      transformers_version: TRANSFORMERS_VERSION,
      vocab_size: this.vocab_size,
    });
    return out;
  }

  /** → config.json text exactly as `to_json_file` writes it (sorted keys, indent 2, trailing newline). */
  toJSONString(): string {
    return `${pythonJsonDumps(this.toJSON(), CONFIG_FLOAT_KEYS)}\n`;
  }
}

// HF's `attribute_map`: generic names that alias DistilBERT's own fields.
const ATTRIBUTE_MAP: Record<string, keyof DistilBertConfigInit> = {
  hidden_size: 'dim',
  num_attention_heads: 'n_heads',
  num_hidden_layers: 'n_layers',
};

const NUMBER_FIELDS = [
  'vocab_size', 'max_position_embeddings', 'n_layers', 'n_heads', 'dim', 'hidden_dim', 'dropout',
  'attention_dropout', 'initializer_range', 'qa_dropout', 'seq_classif_dropout', 'num_labels',
] as const;

function readInit(json: Record<string, unknown>, fileName: string): DistilBertConfigInit {
  const init: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(json)) {
    const key: string = ATTRIBUTE_MAP[rawKey] ?? (rawKey === 'torch_dtype' ? 'dtype' : rawKey);
    const field = `${fileName}: "${rawKey}"`;
    if ((NUMBER_FIELDS as readonly string[]).includes(key)) {
      if (typeof value !== 'number') throw new Error(`${field} must be a number, got ${JSON.stringify(value)}`);
      init[key] = value;
    } else if (key === 'sinusoidal_pos_embds') {
      if (typeof value !== 'boolean') throw new Error(`${field} must be true or false, got ${JSON.stringify(value)}`);
      init[key] = value;
    } else if (key === 'activation' || key === 'dtype' || key === 'problem_type') {
      if (value !== null && typeof value !== 'string') throw new Error(`${field} must be a string, got ${JSON.stringify(value)}`);
      if (value !== null || key !== 'activation') init[key] = value;
    } else if (key === 'pad_token_id') {
      if (value !== null && typeof value !== 'number') throw new Error(`${field} must be an integer or null`);
      init[key] = value;
    } else if (key === 'architectures') {
      if (value !== null && !(Array.isArray(value) && value.every((a) => typeof a === 'string'))) {
        throw new Error(`${field} must be a list of class names`);
      }
      init[key] = value;
    } else if (key === 'id2label') {
      init[key] = readId2Label(value, field);
    } else if (key === 'label2id') {
      init[key] = readLabel2Id(value, field);
    } else if (key === 'model_type') {
      if (value !== 'distilbert') throw new Error(`${field} is ${JSON.stringify(value)}, but this is a DistilBERT config`);
    } else if (key !== 'transformers_version') {
      extra[rawKey] = value;
    }
  }
  return { ...(init as DistilBertConfigInit), extra };
}

// JSON object keys are always strings; HF converts id2label's keys with int(key).
function readId2Label(value: unknown, field: string): Record<number, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${field} must be an object`);
  const out: Record<number, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!/^-?\d+$/.test(k.trim())) throw new Error(`${field} key ${JSON.stringify(k)} is not an integer`);
    if (typeof v !== 'string') throw new Error(`${field}[${JSON.stringify(k)}] must be a string`);
    out[Number(k.trim())] = v;
  }
  return out;
}

function readLabel2Id(value: unknown, field: string): Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${field} must be an object`);
  for (const [k, v] of Object.entries(value)) {
    if (!Number.isInteger(v)) throw new Error(`${field}[${JSON.stringify(k)}] must be an integer id`);
  }
  return { ...(value as Record<string, number>) };
}

// from_pretrained(dir, num_labels=…, id2label=…, label2id=…): HF refuses a num_labels/id2label
// pair of different sizes, then sets each attribute in turn (num_labels through its setter).
function applyOverrides(config: DistilBertConfig, o: DistilBertConfigOverrides, fileName: string): void {
  if (o.numLabels !== undefined && o.id2label !== undefined && Object.keys(o.id2label).length !== o.numLabels) {
    throw new Error(
      `${fileName}: numLabels=${o.numLabels} is incompatible with the id2label override (${Object.keys(o.id2label).length} labels); remove one of them`,
    );
  }
  if (o.numLabels !== undefined) config.num_labels = o.numLabels;
  if (o.id2label !== undefined) config.id2label = { ...o.id2label };
  if (o.label2id !== undefined) config.label2id = { ...o.label2id };
  if (o.problemType !== undefined) config.problem_type = o.problemType;
}

/** Checks that the modules can be built from `c`; errors name the file and the field. */
export function validateConfig(c: DistilBertConfig, where: string): void {
  const positive = ['vocab_size', 'max_position_embeddings', 'n_layers', 'n_heads', 'dim', 'hidden_dim'] as const;
  for (const k of positive) {
    if (!Number.isInteger(c[k]) || c[k] <= 0) throw new Error(`${where}: "${k}" must be a positive integer, got ${c[k]}`);
  }
  for (const k of ['dropout', 'attention_dropout', 'qa_dropout', 'seq_classif_dropout'] as const) {
    if (!(c[k] >= 0 && c[k] <= 1)) throw new Error(`${where}: "${k}" must be a probability in [0, 1], got ${c[k]}`);
  }
  if (!(c.initializer_range >= 0)) throw new Error(`${where}: "initializer_range" must be >= 0, got ${c.initializer_range}`);
  if (c.dim % c.n_heads !== 0) {
    throw new Error(`${where}: "dim" (${c.dim}) must be divisible by "n_heads" (${c.n_heads})`);
  }
  if (!(DISTILBERT_ACTIVATIONS as readonly string[]).includes(c.activation)) {
    throw new Error(`${where}: "activation" ${JSON.stringify(c.activation)} is not supported (use one of ${DISTILBERT_ACTIVATIONS.join(', ')})`);
  }
  if (c.sinusoidal_pos_embds) {
    throw new Error(`${where}: "sinusoidal_pos_embds": true is not supported: webtune implements learned position embeddings only`);
  }
  if (c.pad_token_id !== null && !(Number.isInteger(c.pad_token_id) && c.pad_token_id >= 0 && c.pad_token_id < c.vocab_size)) {
    throw new Error(`${where}: "pad_token_id" ${c.pad_token_id} must be an id in [0, vocab_size=${c.vocab_size})`);
  }
  if (c.problem_type !== null && !PROBLEM_TYPES.includes(c.problem_type)) {
    throw new Error(`${where}: "problem_type" ${JSON.stringify(c.problem_type)} must be one of ${PROBLEM_TYPES.join(', ')}`);
  }
  // The classifier's row i is label id i, so ids must be exactly 0..num_labels-1 (HF would fail later, at lookup).
  const ids = Object.keys(c.id2label).map(Number).sort((a, b) => a - b);
  if (ids.length === 0 || ids.some((id, i) => id !== i)) {
    throw new Error(`${where}: "id2label" ids must be 0..${ids.length - 1}, got [${ids.join(', ')}]`);
  }
  for (const [label, id] of Object.entries(c.label2id)) {
    if (!Number.isInteger(id)) throw new Error(`${where}: "label2id"[${JSON.stringify(label)}] must be an integer id`);
  }
}

function invert(id2label: Record<number, string>): Record<string, number> {
  return Object.fromEntries(Object.entries(id2label).map(([id, label]) => [label, Number(id)]));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
