// What a model family (DistilBERT, BERT, RoBERTa) tells the shared machinery: how to read its config, its
// base_model_prefix and buffers, its LayerNorm modules (weight decay), the encoder layout its modules and weight
// names are built from, and how long an input may be. One object per family (distilbert/family.ts, …); the model
// registry (models/registry.ts) maps model_type to it and to its classes.
import type { ConfigOverrides, PretrainedConfig } from './config_base.js';
import type { EncoderSpec } from './encoder_spec.js';

export interface ModelFamily<C extends PretrainedConfig = PretrainedConfig> {
  /** HF's model_type ("bert"). */
  readonly modelType: string;
  /** The family in messages ("BERT"). */
  readonly name: string;
  /** The config class ("BertConfig") and a hint of its fields ("{ hidden_size, num_hidden_layers, … }"). */
  readonly configClassName: string;
  readonly fieldsHint: string;
  /** config.json's object → the config, overrides applied; errors name the file and the field. */
  configFromJSON(json: unknown, fileName: string, overrides?: ConfigOverrides): C;
  /** A config, or its fields as an object (fromConfig's argument) → the config; errors name `where`. */
  toConfig(config: unknown, where: string): C;
  /** HF's base_model_prefix: a head model's body is registered under it ("bert.embeddings…"). */
  readonly prefix: string;
  /** Non-persistent buffers under the base model ("embeddings.position_ids"): never saved, ignored when found. */
  readonly buffers: readonly string[];
  /** The family's nn.LayerNorm module names (Trainer excludes their parameters from weight decay by type). */
  readonly layerNormModules: readonly string[];
  /** config → the encoder's sizes, names, eps, dropouts and position numbering. */
  encoderSpec(config: C): EncoderSpec;
  /** The longest input the position table holds, and where that number comes from (for errors). */
  maxTokens(config: C): { tokens: number; why: string };
}

/** max_position_embeddings as the longest input (DistilBERT, BERT). */
export function positionsAsMaxTokens(config: { max_position_embeddings: number }): { tokens: number; why: string } {
  return { tokens: config.max_position_embeddings, why: `max_position_embeddings = ${config.max_position_embeddings}` };
}
