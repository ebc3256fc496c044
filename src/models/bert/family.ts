// BERT as a model family (modeling_bert.py): names, prefix, buffers, LayerNorm modules and the encoder layout with
// eps from layer_norm_eps. RoBERTa (roberta/family.ts) reuses the layout with its own position numbering.
import {
  linearShapes,
  baseModelParameterShapes,
  type EncoderSpec,
  type ParameterShape,
} from '../common/encoder_spec.js';
import { positionsAsMaxTokens, type ModelFamily } from '../common/family.js';
import { BertConfig, type BertConfigInit } from './config.js';

/** Non-persistent buffers of BertEmbeddings: never saved by recent HF, found in old checkpoints, ignored. */
export const BERT_BUFFERS = ['embeddings.position_ids', 'embeddings.token_type_ids'];

/** config, position numbering → BERT's encoder layout (BertEmbeddings, BertLayer: modeling_bert.py). */
export function bertEncoderSpec(config: BertConfig, positions: EncoderSpec['positions'] = 'arange'): EncoderSpec {
  const hidden = config.hidden_dropout_prob;
  return {
    dims: {
      vocab: config.vocab_size,
      hidden: config.hidden_size,
      layers: config.num_hidden_layers,
      heads: config.num_attention_heads,
      intermediate: config.intermediate_size,
      positions: config.max_position_embeddings,
      typeVocab: config.type_vocab_size,
    },
    names: {
      layers: 'encoder.layer',
      query: 'self.query',
      key: 'self.key',
      value: 'self.value',
      attentionOutput: 'output.dense',
      attentionLayerNorm: 'attention.output.LayerNorm',
      ffn: '', // BertIntermediate and BertOutput sit directly in the layer
      ffnIn: 'intermediate.dense',
      ffnOut: 'output.dense',
      outputLayerNorm: 'output.LayerNorm',
    },
    eps: config.layer_norm_eps,
    activation: config.hidden_act,
    dropout: {
      embeddings: hidden,
      attentionProbs: config.attention_probs_dropout_prob,
      attentionOutput: hidden,
      ffn: hidden,
    },
    initializerRange: config.initializer_range,
    padTokenId: config.pad_token_id,
    positions,
  };
}

export const BERT_FAMILY: ModelFamily<BertConfig> = {
  modelType: BertConfig.model_type,
  name: 'BERT',
  configClassName: 'BertConfig',
  fieldsHint: '{ hidden_size, num_hidden_layers, … }',
  configFromJSON: (json, fileName, overrides) => BertConfig.fromJSON(json, fileName, overrides),
  toConfig: (config, where) =>
    config instanceof BertConfig ? config : new BertConfig(config as BertConfigInit, where),
  prefix: 'bert',
  buffers: BERT_BUFFERS,
  layerNormModules: ['LayerNorm'],
  encoderSpec: (config) => bertEncoderSpec(config),
  maxTokens: positionsAsMaxTokens,
};

/** config → BertForSequenceClassification's [name, shape][]: bert.* with the pooler, then the classifier. */
export function bertParameterShapes(config: BertConfig, { withHead }: { withHead: boolean }): ParameterShape[] {
  const prefix = withHead ? 'bert.' : '';
  const out = baseModelParameterShapes(bertEncoderSpec(config), prefix, { pooler: true });
  if (withHead) out.push(...linearShapes('classifier', config.hidden_size, config.num_labels));
  return out;
}
