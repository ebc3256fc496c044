// What every family's config shares with transformers' PretrainedConfig: the labels (id2label, label2id, the
// num_labels property and its setter), problem_type, architectures, dtype, the unknown keys kept from config.json,
// from_pretrained's label overrides, and reading config.json's fields with errors that name the file and the field.
// Field names stay HF's snake_case, so config.json maps 1:1 and code ported from the Python reads the same.
import { CONFIG_FLOAT_KEYS, PRETRAINED_CONFIG_DEFAULTS, jsonEqual } from './config_defaults.js';
import { pythonJsonDumps } from './python_json.js';

export type ProblemType = 'regression' | 'single_label_classification' | 'multi_label_classification';
const PROBLEM_TYPES: readonly ProblemType[] = [
  'regression',
  'single_label_classification',
  'multi_label_classification',
];

/** The constructor kwargs every config takes (HF's PretrainedConfig kwargs we honour). */
export interface CommonConfigInit {
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
export interface ConfigOverrides {
  numLabels?: number;
  id2label?: Record<number, string>;
  label2id?: Record<string, number>;
  problemType?: ProblemType | null;
}

export abstract class PretrainedConfig {
  id2label: Record<number, string> = { 0: 'LABEL_0', 1: 'LABEL_1' };
  label2id: Record<string, number> = { LABEL_0: 0, LABEL_1: 1 };
  problem_type: ProblemType | null = null;
  architectures: string[] | null = null;
  dtype: string | null = null;
  extra: Record<string, unknown> = {};

  // Fields every encoder family's config has (HF's names).
  abstract vocab_size: number;
  abstract max_position_embeddings: number;
  abstract pad_token_id: number | null;
  abstract initializer_range: number;

  /** The class name in messages ("BertConfig"). */
  abstract get configName(): string;
  /** HF's model_type ("bert"): config.json's dispatch key. */
  abstract get modelType(): string;
  /** → the object save_pretrained writes as config.json (id2label keys are strings). */
  abstract toJSON(): Record<string, unknown>;

  /** [] → number of labels = size of id2label (HF's `num_labels` property). */
  get num_labels(): number {
    return Object.keys(this.id2label).length;
  }

  /** HF's setter: a different count resets both maps to LABEL_0..n-1; the same count keeps them. */
  set num_labels(n: number) {
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`${this.configName}: num_labels must be a positive integer, got ${n}`);
    if (this.num_labels === n) return;
    this.id2label = {};
    this.label2id = {};
    for (let i = 0; i < n; i++) {
      this.id2label[i] = `LABEL_${i}`;
      this.label2id[`LABEL_${i}`] = i;
    }
  }

  /** → config.json text exactly as `to_json_file` writes it (sorted keys, indent 2, trailing newline). */
  toJSONString(): string {
    return `${pythonJsonDumps(this.toJSON(), CONFIG_FLOAT_KEYS)}\n`;
  }

  /** Assigns init's fields (the family's and the common ones) over the class defaults; call from the constructor. */
  protected assign(init: CommonConfigInit, where: string): void {
    if (init === null || typeof init !== 'object' || Array.isArray(init)) {
      throw new TypeError(
        `${where}: expected an object of config fields (${this.fieldsHint()}), got ${init === null ? 'null' : typeof init}`,
      );
    }
    const { num_labels, id2label, label2id, extra, ...fields } = init;
    Object.assign(this, stripUndefined(fields));
    this.extra = { ...(extra ?? {}) };
    if (id2label) {
      if (num_labels !== undefined && Object.keys(id2label).length !== num_labels) {
        throw new Error(
          `${where}: num_labels=${num_labels} disagrees with id2label, which has ${Object.keys(id2label).length} labels`,
        );
      }
      this.id2label = { ...id2label };
      // HF leaves label2id None here; we derive it so label lookups always work (documented deviation).
      this.label2id = label2id ? { ...label2id } : invert(this.id2label);
    } else {
      this.num_labels = num_labels ?? 2;
      if (label2id) this.label2id = { ...label2id };
    }
  }

  /** A hint of the family's own fields for messages ("{ dim, n_layers, … }"). */
  protected abstract fieldsHint(): string;

  /**
   * from_pretrained(dir, num_labels=…, id2label=…, label2id=…): HF refuses a num_labels/id2label pair of different
   * sizes, then sets each attribute in turn (num_labels through its setter).
   */
  applyOverrides(o: ConfigOverrides, fileName: string): void {
    if (o.numLabels !== undefined && o.id2label !== undefined && Object.keys(o.id2label).length !== o.numLabels) {
      throw new Error(
        `${fileName}: numLabels=${o.numLabels} is incompatible with the id2label override (${Object.keys(o.id2label).length} labels); remove one of them`,
      );
    }
    if (o.numLabels !== undefined) this.num_labels = o.numLabels;
    if (o.id2label !== undefined) this.id2label = { ...o.id2label };
    if (o.label2id !== undefined) this.label2id = { ...o.label2id };
    if (o.problemType !== undefined) this.problem_type = o.problemType;
  }

  /** problem_type and the label maps; errors name `where` and the field. */
  validateLabels(where: string): void {
    if (this.problem_type !== null && !PROBLEM_TYPES.includes(this.problem_type)) {
      throw new Error(
        `${where}: "problem_type" ${JSON.stringify(this.problem_type)} must be one of ${PROBLEM_TYPES.join(', ')}`,
      );
    }
    // The classifier's row i is label id i, so ids must be exactly 0..num_labels-1 (HF would fail later, at lookup).
    const ids = Object.keys(this.id2label)
      .map(Number)
      .sort((a, b) => a - b);
    if (ids.length === 0 || ids.some((id, i) => id !== i)) {
      throw new Error(`${where}: "id2label" ids must be 0..${ids.length - 1}, got [${ids.join(', ')}]`);
    }
    for (const [label, id] of Object.entries(this.label2id)) {
      if (!Number.isInteger(id))
        throw new Error(`${where}: "label2id"[${JSON.stringify(label)}] must be an integer id`);
    }
  }

  /**
   * The generic part of config.json: the kept extra keys (those not at a bare PretrainedConfig's value), the labels
   * when they are not the default two, architectures, dtype, problem_type.
   */
  protected commonJSON(): Record<string, unknown> {
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
    return out;
  }
}

/**
 * How a config.json field is read: 'number'; 'int?' and 'number?' (or null); 'boolean'; 'string' (null keeps the
 * default); 'string?' (or null).
 */
export type FieldKind = 'number' | 'int?' | 'number?' | 'boolean' | 'string' | 'string?';

export interface ConfigSchema {
  /** The family's own fields and the common ones it reads typed. */
  fields: Readonly<Record<string, FieldKind>>;
  /** HF's `attribute_map`: generic names that alias the family's fields (hidden_size → dim). */
  attributeMap?: Readonly<Record<string, string>>;
  /** The model_type this config accepts, and the family's name for the message when it differs. */
  modelType: string;
  familyName: string;
}

const COMMON_FIELDS: Readonly<Record<string, FieldKind>> = {
  num_labels: 'number',
  dtype: 'string?',
  problem_type: 'string?',
};

/** obj: parsed config.json → the constructor's init (unknown keys in `extra`); errors name the file and the key. */
export function readConfigJson(obj: unknown, fileName: string, schema: ConfigSchema): Record<string, unknown> {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    throw new Error(`${fileName}: config must be a JSON object`);
  const init: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(obj as Record<string, unknown>)) {
    const key: string = schema.attributeMap?.[rawKey] ?? (rawKey === 'torch_dtype' ? 'dtype' : rawKey);
    const field = `${fileName}: "${rawKey}"`;
    const kind = schema.fields[key] ?? COMMON_FIELDS[key];
    if (kind !== undefined) {
      const read = readField(value, kind, field);
      if (read !== undefined) init[key] = read;
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
      if (value !== schema.modelType) {
        throw new Error(
          `${field} is ${JSON.stringify(value)}, but this is a ${schema.familyName} config ` +
            '(the Auto classes, e.g. AutoModelForSequenceClassification, pick the class from model_type)',
        );
      }
    } else if (key !== 'transformers_version') {
      extra[rawKey] = value;
    }
  }
  return { ...init, extra };
}

function readField(value: unknown, kind: FieldKind, field: string): unknown {
  switch (kind) {
    case 'number':
      if (typeof value !== 'number') throw new Error(`${field} must be a number, got ${JSON.stringify(value)}`);
      return value;
    case 'int?':
      if (value !== null && typeof value !== 'number') throw new Error(`${field} must be an integer or null`);
      return value;
    case 'number?':
      if (value !== null && typeof value !== 'number')
        throw new Error(`${field} must be a number or null, got ${JSON.stringify(value)}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new Error(`${field} must be true or false, got ${JSON.stringify(value)}`);
      return value;
    case 'string':
    case 'string?':
      if (value !== null && typeof value !== 'string')
        throw new Error(`${field} must be a string, got ${JSON.stringify(value)}`);
      return value === null && kind === 'string' ? undefined : value;
  }
}

// JSON object keys are always strings; HF converts id2label's keys with int(key).
function readId2Label(value: unknown, field: string): Record<number, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${field} must be an object`);
  const out: Record<number, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!/^-?\d+$/.test(k.trim())) throw new Error(`${field} key ${JSON.stringify(k)} is not an integer`);
    if (typeof v !== 'string') throw new Error(`${field}[${JSON.stringify(k)}] must be a string`);
    out[Number(k.trim())] = v;
  }
  return out;
}

function readLabel2Id(value: unknown, field: string): Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${field} must be an object`);
  for (const [k, v] of Object.entries(value)) {
    if (!Number.isInteger(v)) throw new Error(`${field}[${JSON.stringify(k)}] must be an integer id`);
  }
  return { ...(value as Record<string, number>) };
}

/** Checks shared by the families' validate(): errors name `where` and the field. */
export const check = {
  positiveInts(c: object, keys: readonly string[], where: string): void {
    for (const k of keys) {
      const v = (c as Record<string, number>)[k]!;
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${where}: "${k}" must be a positive integer, got ${v}`);
    }
  },
  probabilities(c: object, keys: readonly string[], where: string): void {
    for (const k of keys) {
      const v = (c as Record<string, number>)[k]!;
      if (!(v >= 0 && v <= 1)) throw new Error(`${where}: "${k}" must be a probability in [0, 1], got ${v}`);
    }
  },
  padTokenId(pad: number | null, vocab: number, where: string): void {
    if (pad !== null && !(Number.isInteger(pad) && pad >= 0 && pad < vocab)) {
      throw new Error(`${where}: "pad_token_id" ${pad} must be an id in [0, vocab_size=${vocab})`);
    }
  },
  heads(hidden: number, heads: number, hiddenKey: string, headsKey: string, where: string): void {
    if (hidden % heads !== 0) {
      throw new Error(`${where}: "${hiddenKey}" (${hidden}) must be divisible by "${headsKey}" (${heads})`);
    }
  },
};

function invert(id2label: Record<number, string>): Record<string, number> {
  return Object.fromEntries(Object.entries(id2label).map(([id, label]) => [label, Number(id)]));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
