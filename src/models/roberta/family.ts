// RoBERTa as a model family (modeling_roberta.py): BERT's layout and names under the prefix "roberta", positions
// numbered from padding_idx + 1 over the non-padding ids (so an input holds max_position_embeddings − padding_idx − 1
// tokens), and its own classification head (classifier.dense → tanh → classifier.out_proj).
import { BERT_BUFFERS, bertEncoderSpec } from '../bert/family.js';
import { baseModelParameterShapes, linearShapes, type ParameterShape } from '../common/encoder_spec.js';
import type { ModelFamily } from '../common/family.js';
import type { BertConfigInit } from '../bert/config.js';
import { RobertaConfig } from './config.js';

export const ROBERTA_FAMILY: ModelFamily<RobertaConfig> = {
  modelType: RobertaConfig.model_type,
  name: 'RoBERTa',
  configClassName: 'RobertaConfig',
  fieldsHint: '{ hidden_size, num_hidden_layers, … }',
  configFromJSON: (json, fileName, overrides) => RobertaConfig.fromJSON(json, fileName, overrides),
  toConfig: (config, where) =>
    config instanceof RobertaConfig ? config : new RobertaConfig(config as BertConfigInit, where),
  prefix: 'roberta',
  buffers: BERT_BUFFERS,
  layerNormModules: ['LayerNorm'],
  encoderSpec: (config) => bertEncoderSpec(config, 'padding-offset'),
  maxTokens: (config) => {
    const tokens = config.max_position_embeddings - config.pad_token_id! - 1;
    return {
      tokens,
      why: `the ${tokens} tokens RoBERTa's max_position_embeddings = ${config.max_position_embeddings} hold (positions start at pad_token_id + 1)`,
    };
  },
};

/**
 * config → [name, shape][]: withHead, RobertaForSequenceClassification's (roberta.* without a pooler, then
 * classifier.dense and classifier.out_proj); else RobertaModel's (with the pooler, no prefix).
 */
export function robertaParameterShapes(config: RobertaConfig, { withHead }: { withHead: boolean }): ParameterShape[] {
  const spec = bertEncoderSpec(config, 'padding-offset');
  if (!withHead) return baseModelParameterShapes(spec, '', { pooler: true });
  const hidden = config.hidden_size;
  return [
    ...baseModelParameterShapes(spec, 'roberta.', { pooler: false }),
    ...linearShapes('classifier.dense', hidden, hidden),
    ...linearShapes('classifier.out_proj', hidden, config.num_labels),
  ];
}
