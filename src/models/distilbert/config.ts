// DistilBertConfig with transformers 4.57.6 semantics. Field names stay HF's snake_case so code ported
// from modeling_distilbert.py reads the same and config.json maps 1:1; `toJSON()` writes what
// `save_pretrained` writes (its `to_diff_dict`), so fromJSON → toJSON reproduces HF's file.

import { ACTIVATIONS, type Activation } from '../common/activations.js';
import {
  check,
  PretrainedConfig,
  readConfigJson,
  type CommonConfigInit,
  type ConfigOverrides,
  type ConfigSchema,
} from '../common/config_base.js';

export type { ProblemType } from '../common/config_base.js';
/** Activations HF documents for DistilBERT (`ACT2FN` keys); the FFN maps the name to its function. */
export const DISTILBERT_ACTIVATIONS = ACTIVATIONS;
export type DistilBertActivation = Activation;

/** The version whose save_pretrained output we reproduce (it writes its own version, not the loaded one). */
export const TRANSFORMERS_VERSION = '4.57.6';

export interface DistilBertConfigInit extends CommonConfigInit {
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
}

/** from_pretrained kwargs that change labels: applied after the file, in HF's order (num_labels first). */
export type DistilBertConfigOverrides = ConfigOverrides;

const SCHEMA: ConfigSchema = {
  modelType: 'distilbert',
  familyName: 'DistilBERT',
  // HF's `attribute_map`: generic names that alias DistilBERT's own fields.
  attributeMap: { hidden_size: 'dim', num_attention_heads: 'n_heads', num_hidden_layers: 'n_layers' },
  fields: {
    ...Object.fromEntries(
      [
        'vocab_size',
        'max_position_embeddings',
        'n_layers',
        'n_heads',
        'dim',
        'hidden_dim',
        'dropout',
        'attention_dropout',
        'initializer_range',
        'qa_dropout',
        'seq_classif_dropout',
      ].map((k) => [k, 'number']),
    ),
    sinusoidal_pos_embds: 'boolean',
    activation: 'string',
    pad_token_id: 'int?',
  },
};

export class DistilBertConfig extends PretrainedConfig {
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

  /** init: HF constructor kwargs (snake_case) → a validated config. */
  constructor(init: DistilBertConfigInit = {}, where = 'DistilBertConfig') {
    super();
    this.assign(init, where);
    validateConfig(this, where);
  }

  get configName(): string {
    return 'DistilBertConfig';
  }

  get modelType(): string {
    return DistilBertConfig.model_type;
  }

  protected fieldsHint(): string {
    return '{ dim, n_layers, … }';
  }

  // HF's attribute_map: the generic names every family's config answers to, read and written.
  get hidden_size(): number {
    return this.dim;
  }
  set hidden_size(v: number) {
    this.dim = v;
  }
  get num_hidden_layers(): number {
    return this.n_layers;
  }
  set num_hidden_layers(v: number) {
    this.n_layers = v;
  }
  get num_attention_heads(): number {
    return this.n_heads;
  }
  set num_attention_heads(v: number) {
    this.n_heads = v;
  }

  /** obj: parsed config.json, fileName: for errors, overrides: from_pretrained kwargs → config. */
  static fromJSON(obj: unknown, fileName: string, overrides: DistilBertConfigOverrides = {}): DistilBertConfig {
    const config = new DistilBertConfig(readConfigJson(obj, fileName, SCHEMA) as DistilBertConfigInit, fileName);
    config.applyOverrides(overrides, fileName);
    validateConfig(config, fileName);
    return config;
  }

  /** → the object save_pretrained (transformers 4.57.6) writes as config.json; id2label keys are strings. */
  toJSON(): Record<string, unknown> {
    return Object.assign(this.commonJSON(), {
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
  }
}

/** Checks that the modules can be built from `c`; errors name the file and the field. */
export function validateConfig(c: DistilBertConfig, where: string): void {
  check.positiveInts(c, ['vocab_size', 'max_position_embeddings', 'n_layers', 'n_heads', 'dim', 'hidden_dim'], where);
  check.probabilities(c, ['dropout', 'attention_dropout', 'qa_dropout', 'seq_classif_dropout'], where);
  if (!(c.initializer_range >= 0))
    throw new Error(`${where}: "initializer_range" must be >= 0, got ${c.initializer_range}`);
  check.heads(c.dim, c.n_heads, 'dim', 'n_heads', where);
  if (!(DISTILBERT_ACTIVATIONS as readonly string[]).includes(c.activation)) {
    throw new Error(
      `${where}: "activation" ${JSON.stringify(c.activation)} is not supported (use one of ${DISTILBERT_ACTIVATIONS.join(', ')})`,
    );
  }
  if (c.sinusoidal_pos_embds) {
    throw new Error(
      `${where}: "sinusoidal_pos_embds": true is not supported: webtune implements learned position embeddings only`,
    );
  }
  check.padTokenId(c.pad_token_id, c.vocab_size, where);
  c.validateLabels(where);
}
