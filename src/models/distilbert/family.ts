// DistilBERT as a model family: its config, prefix, buffers, LayerNorm modules and encoder layout (weights_spec.ts).
import { positionsAsMaxTokens, type ModelFamily } from '../common/family.js';
import { DistilBertConfig, type DistilBertConfigInit } from './config.js';
import {
  DISTILBERT_BUFFERS,
  DISTILBERT_LAYERNORM_MODULES,
  DISTILBERT_PREFIX,
  distilBertEncoderSpec,
} from './weights_spec.js';

export const DISTILBERT_FAMILY: ModelFamily<DistilBertConfig> = {
  modelType: DistilBertConfig.model_type,
  name: 'DistilBERT',
  configClassName: 'DistilBertConfig',
  fieldsHint: '{ dim, n_layers, … }',
  configFromJSON: (json, fileName, overrides) => DistilBertConfig.fromJSON(json, fileName, overrides),
  toConfig: (config) =>
    config instanceof DistilBertConfig ? config : new DistilBertConfig(config as DistilBertConfigInit),
  prefix: DISTILBERT_PREFIX,
  buffers: DISTILBERT_BUFFERS,
  layerNormModules: DISTILBERT_LAYERNORM_MODULES,
  encoderSpec: distilBertEncoderSpec,
  maxTokens: positionsAsMaxTokens,
};
