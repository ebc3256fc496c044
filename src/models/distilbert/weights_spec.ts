// What DistilBertForSequenceClassification's parameters are called and shaped in Hugging Face checkpoints, how
// from_pretrained matches a checkpoint's names to them (common/checkpoint_names.ts with DistilBERT's prefix and
// buffers), and which of them Trainer decays. Pure data: no tensors.
import {
  decayParameterNames as decayNames,
  layerNormParamTest,
  matchCheckpoint,
  type CheckpointMatch,
  type MatchOptions,
} from '../common/checkpoint_names.js';
import { encoderParameterShapes, linearShapes, type EncoderSpec, type ParameterShape } from '../common/encoder_spec.js';
import type { DistilBertConfig } from './config.js';

export type { ParameterShape } from '../common/encoder_spec.js';
export type { CheckpointMatch, MatchOptions } from '../common/checkpoint_names.js';

/** HF's base_model_prefix. */
export const DISTILBERT_PREFIX = 'distilbert';
/** Non-persistent buffers of the body: never saved, and silently dropped when a checkpoint has them. */
export const DISTILBERT_BUFFERS = ['embeddings.position_ids'];
/** DistilBERT's nn.LayerNorm modules (HF excludes their parameters from weight decay by type). */
const DISTILBERT_LAYERNORM_MODULES = ['LayerNorm', 'sa_layer_norm', 'output_layer_norm', 'vocab_layer_norm'];

/** DistilBERT hard-codes eps = 1e-12 for every LayerNorm, whatever the config says. */
const LAYER_NORM_EPS = 1e-12;

/** config → the encoder's layout with DistilBERT's names (modeling_distilbert.py). */
export function distilBertEncoderSpec(config: DistilBertConfig): EncoderSpec {
  return {
    dims: {
      vocab: config.vocab_size,
      hidden: config.dim,
      layers: config.n_layers,
      heads: config.n_heads,
      intermediate: config.hidden_dim,
      positions: config.max_position_embeddings,
      typeVocab: 0,
    },
    names: {
      layers: 'transformer.layer',
      query: 'q_lin',
      key: 'k_lin',
      value: 'v_lin',
      attentionOutput: 'out_lin',
      attentionLayerNorm: 'sa_layer_norm',
      ffn: 'ffn',
      ffnIn: 'lin1',
      ffnOut: 'lin2',
      outputLayerNorm: 'output_layer_norm',
    },
    eps: LAYER_NORM_EPS,
    activation: config.activation,
    // No dropout on the attention output: DistilBERT has none there.
    dropout: {
      embeddings: config.dropout,
      attentionProbs: config.attention_dropout,
      attentionOutput: 0,
      ffn: config.dropout,
    },
    initializerRange: config.initializer_range,
    padTokenId: config.pad_token_id,
    positions: 'arange',
  };
}

/**
 * config → [name, shape][] in torch's `named_parameters()` order (= state_dict order, = creation order).
 * Names carry the `distilbert.` prefix either way; withHead adds pre_classifier and classifier.
 */
export function distilBertParameterShapes(
  config: DistilBertConfig,
  { withHead }: { withHead: boolean },
): ParameterShape[] {
  const out = encoderParameterShapes(distilBertEncoderSpec(config), `${DISTILBERT_PREFIX}.`);
  if (withHead)
    out.push(
      ...linearShapes('pre_classifier', config.dim, config.dim),
      ...linearShapes('classifier', config.dim, config.num_labels),
    );
  return out;
}

/**
 * fileShapes: checkpoint name → shape; config → how from_pretrained maps it onto DistilBertForSequenceClassification.
 * A checkpoint with no `distilbert`-prefixed key is a bare DistilBertModel, whose keys get the prefix added.
 */
export function matchCheckpointNames(
  fileShapes: ReadonlyMap<string, readonly number[]>,
  config: DistilBertConfig,
  options: MatchOptions = {},
): CheckpointMatch {
  const expected = new Map(distilBertParameterShapes(config, { withHead: true }));
  const spec = {
    className: 'DistilBertForSequenceClassification',
    prefix: DISTILBERT_PREFIX,
    baseModel: false,
    buffers: DISTILBERT_BUFFERS,
  };
  return matchCheckpoint(fileShapes, expected, spec, options);
}

/** True for a parameter owned by an nn.LayerNorm module of DistilBERT (HF excludes these by type). */
export const isDistilBertLayerNormParam = layerNormParamTest(DISTILBERT_LAYERNORM_MODULES);
export { DISTILBERT_LAYERNORM_MODULES };

/**
 * names (named_parameters order) → the names Trainer gives weight decay, in the same order. The rest (biases,
 * LayerNorm weights) go to the weight_decay=0 group.
 */
export function decayParameterNames(
  names: readonly string[],
  isLayerNormParam: (name: string) => boolean = isDistilBertLayerNormParam,
): string[] {
  return decayNames(names, isLayerNormParam);
}
