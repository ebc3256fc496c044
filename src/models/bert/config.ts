// BertConfig with transformers 5.18 semantics (the version that made the golden tiny-bert): HF's snake_case fields
// and defaults, and `toJSON()` writing the keys save_pretrained writes, so fromJSON → toJSON reproduces the file.
// RobertaConfig (roberta/config.ts) is this class with RoBERTa's defaults and model_type.
import { ACTIVATIONS, isActivation, type Activation } from '../common/activations.js';
import {
  check,
  PretrainedConfig,
  readConfigJson,
  type CommonConfigInit,
  type ConfigOverrides,
  type ConfigSchema,
} from '../common/config_base.js';

/** The transformers version whose config.json layout toJSON reproduces (it writes its own version). */
export const BERT_TRANSFORMERS_VERSION = '5.18.0';

export interface BertConfigInit extends CommonConfigInit {
  vocab_size?: number;
  hidden_size?: number;
  num_hidden_layers?: number;
  num_attention_heads?: number;
  intermediate_size?: number;
  hidden_act?: Activation;
  hidden_dropout_prob?: number;
  attention_probs_dropout_prob?: number;
  max_position_embeddings?: number;
  type_vocab_size?: number;
  initializer_range?: number;
  layer_norm_eps?: number;
  pad_token_id?: number | null;
  bos_token_id?: number | null;
  eos_token_id?: number | null;
  /** The head's dropout; null: hidden_dropout_prob. */
  classifier_dropout?: number | null;
  use_cache?: boolean;
  is_decoder?: boolean;
  add_cross_attention?: boolean;
  tie_word_embeddings?: boolean;
}

const NUMBER_FIELDS = [
  'vocab_size',
  'hidden_size',
  'num_hidden_layers',
  'num_attention_heads',
  'intermediate_size',
  'hidden_dropout_prob',
  'attention_probs_dropout_prob',
  'max_position_embeddings',
  'type_vocab_size',
  'initializer_range',
  'layer_norm_eps',
];
const FIELDS: ConfigSchema['fields'] = {
  ...Object.fromEntries(NUMBER_FIELDS.map((k) => [k, 'number'])),
  hidden_act: 'string',
  pad_token_id: 'int?',
  bos_token_id: 'int?',
  eos_token_id: 'int?',
  classifier_dropout: 'number?',
  use_cache: 'boolean',
  is_decoder: 'boolean',
  add_cross_attention: 'boolean',
  tie_word_embeddings: 'boolean',
};

export class BertConfig extends PretrainedConfig {
  static readonly model_type: string = 'bert';
  vocab_size = 30522;
  hidden_size = 768;
  num_hidden_layers = 12;
  num_attention_heads = 12;
  intermediate_size = 3072;
  hidden_act: Activation = 'gelu';
  hidden_dropout_prob = 0.1;
  attention_probs_dropout_prob = 0.1;
  max_position_embeddings = 512;
  type_vocab_size = 2;
  initializer_range = 0.02;
  layer_norm_eps = 1e-12;
  pad_token_id: number | null = 0;
  bos_token_id: number | null = null;
  eos_token_id: number | null = null;
  classifier_dropout: number | null = null;
  use_cache = true;
  is_decoder = false;
  add_cross_attention = false;
  tie_word_embeddings = true;

  /** init: HF constructor kwargs (snake_case) → a validated config. */
  constructor(init: BertConfigInit = {}, where = 'BertConfig') {
    super();
    this.assign(init, where);
    this.validate(where);
  }

  get configName(): string {
    return 'BertConfig';
  }

  get modelType(): string {
    return BertConfig.model_type;
  }

  protected fieldsHint(): string {
    return '{ hidden_size, num_hidden_layers, … }';
  }

  /** obj: parsed config.json, fileName: for errors, overrides: from_pretrained kwargs → config. */
  static fromJSON(obj: unknown, fileName: string, overrides: ConfigOverrides = {}): BertConfig {
    return readBertLike(
      obj,
      fileName,
      overrides,
      'BERT',
      BertConfig.model_type,
      (init) => new BertConfig(init, fileName),
    );
  }

  /**
   * → the object save_pretrained (transformers 5.18) writes as config.json: every field below whatever its value,
   * the labels when not the default two, kept extra keys; id2label keys are strings.
   */
  toJSON(): Record<string, unknown> {
    return Object.assign(this.commonJSON(), {
      add_cross_attention: this.add_cross_attention,
      attention_probs_dropout_prob: this.attention_probs_dropout_prob,
      bos_token_id: this.bos_token_id,
      classifier_dropout: this.classifier_dropout,
      eos_token_id: this.eos_token_id,
      hidden_act: this.hidden_act,
      hidden_dropout_prob: this.hidden_dropout_prob,
      hidden_size: this.hidden_size,
      initializer_range: this.initializer_range,
      intermediate_size: this.intermediate_size,
      is_decoder: this.is_decoder,
      layer_norm_eps: this.layer_norm_eps,
      max_position_embeddings: this.max_position_embeddings,
      model_type: this.modelType,
      num_attention_heads: this.num_attention_heads,
      num_hidden_layers: this.num_hidden_layers,
      pad_token_id: this.pad_token_id,
      tie_word_embeddings: this.tie_word_embeddings,
      transformers_version: BERT_TRANSFORMERS_VERSION,
      type_vocab_size: this.type_vocab_size,
      use_cache: this.use_cache,
      vocab_size: this.vocab_size,
    });
  }

  /** Checks that the modules can be built from this config; errors name `where` and the field. */
  validate(where: string): void {
    check.positiveInts(
      this,
      [
        'vocab_size',
        'hidden_size',
        'num_hidden_layers',
        'num_attention_heads',
        'intermediate_size',
        'max_position_embeddings',
        'type_vocab_size',
      ],
      where,
    );
    check.probabilities(this, ['hidden_dropout_prob', 'attention_probs_dropout_prob'], where);
    if (this.classifier_dropout !== null) check.probabilities(this, ['classifier_dropout'], where);
    if (!(this.initializer_range >= 0))
      throw new Error(`${where}: "initializer_range" must be >= 0, got ${this.initializer_range}`);
    if (!(this.layer_norm_eps > 0))
      throw new Error(`${where}: "layer_norm_eps" must be > 0, got ${this.layer_norm_eps}`);
    check.heads(this.hidden_size, this.num_attention_heads, 'hidden_size', 'num_attention_heads', where);
    if (!isActivation(this.hidden_act)) {
      throw new Error(
        `${where}: "hidden_act" ${JSON.stringify(this.hidden_act)} is not supported (use one of ${ACTIVATIONS.join(', ')})`,
      );
    }
    check.padTokenId(this.pad_token_id, this.vocab_size, where);
    for (const k of ['is_decoder', 'add_cross_attention'] as const) {
      if (this[k])
        throw new Error(
          `${where}: "${k}": true is not supported: webtune implements the encoder (no decoder, no cross-attention)`,
        );
    }
    const positions = this.extra.position_embedding_type;
    if (positions !== undefined && positions !== 'absolute') {
      throw new Error(
        `${where}: "position_embedding_type" ${JSON.stringify(positions)} is not supported: only "absolute" position embeddings`,
      );
    }
    this.validateLabels(where);
  }
}

/** config.json → a BERT-layout config (BertConfig, RobertaConfig) with the overrides applied and checked. */
export function readBertLike<C extends BertConfig>(
  obj: unknown,
  fileName: string,
  overrides: ConfigOverrides,
  familyName: string,
  modelType: string,
  make: (init: BertConfigInit) => C,
): C {
  const config = make(readConfigJson(obj, fileName, { modelType, familyName, fields: FIELDS }) as BertConfigInit);
  config.applyOverrides(overrides, fileName);
  config.validate(fileName);
  return config;
}
