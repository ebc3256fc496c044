// An encoder family's layout as pure data: sizes, the names HF gives each parameter, LayerNorm eps, dropouts and
// how positions are numbered. The shared modules (embeddings.ts, attention.ts, feed_forward.ts, encoder_layer.ts)
// are built from it, and `encoderParameterShapes` lists the same names and shapes without any GPU, so the loader,
// the CLI's probe and the ONNX exporter agree with the modules by construction.
import type { Activation } from './activations.js';

/** A parameter's HF name and shape; Linear weights are [out, in] as torch stores them. */
export type ParameterShape = [name: string, shape: number[]];

export interface EncoderDims {
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  /** The FFN's inner size (DistilBERT hidden_dim, BERT intermediate_size). */
  intermediate: number;
  /** Rows of the position table (max_position_embeddings). */
  positions: number;
  /** Rows of the token type table; 0 when the family has none (DistilBERT). */
  typeVocab: number;
}

/**
 * Where each parameter lives, relative to its module (a dotted path registers the module under that path; '' makes
 * a module transparent, its parameters named as if they were its parent's).
 */
export interface EncoderNames {
  /** The layer list under the base model: "transformer.layer" (DistilBERT), "encoder.layer" (BERT). */
  layers: string;
  /** Under the layer's `attention` module. */
  query: string;
  key: string;
  value: string;
  attentionOutput: string;
  /** Under the layer. */
  attentionLayerNorm: string;
  ffn: string;
  /** Under the ffn module. */
  ffnIn: string;
  ffnOut: string;
  /** Under the layer. */
  outputLayerNorm: string;
}

export interface EncoderSpec {
  dims: EncoderDims;
  names: EncoderNames;
  /** Every LayerNorm's eps (DistilBERT hard-codes 1e-12; BERT reads layer_norm_eps). */
  eps: number;
  activation: Activation;
  dropout: {
    /** After the embeddings' LayerNorm. */
    embeddings: number;
    /** On the attention probabilities. */
    attentionProbs: number;
    /** After the attention output projection, before the residual (BERT's hidden dropout; DistilBERT: none). */
    attentionOutput: number;
    /** After the FFN's output projection. */
    ffn: number;
  };
  initializerRange: number;
  /** word_embeddings' padding_idx (its row starts at 0 and gets no gradient), or null. */
  padTokenId: number | null;
  /**
   * How position ids are numbered: 'arange' (0..T-1, DistilBERT and BERT) or 'padding-offset' (RoBERTa: real tokens
   * count from padding_idx + 1, padding sits at padding_idx; the position table's padding row gets no gradient).
   */
  positions: 'arange' | 'padding-offset';
}

/** spec, prefix ("distilbert." or "") → the base model's [name, shape][] in torch's named_parameters() order. */
export function encoderParameterShapes(spec: EncoderSpec, prefix: string): ParameterShape[] {
  const { hidden, intermediate } = spec.dims;
  const n = spec.names;
  const out: ParameterShape[] = [
    [`${prefix}embeddings.word_embeddings.weight`, [spec.dims.vocab, hidden]],
    [`${prefix}embeddings.position_embeddings.weight`, [spec.dims.positions, hidden]],
  ];
  if (spec.dims.typeVocab > 0)
    out.push([`${prefix}embeddings.token_type_embeddings.weight`, [spec.dims.typeVocab, hidden]]);
  out.push([`${prefix}embeddings.LayerNorm.weight`, [hidden]], [`${prefix}embeddings.LayerNorm.bias`, [hidden]]);
  const linear = (name: string, inFeatures: number, outFeatures: number): void => {
    out.push(...linearShapes(name, inFeatures, outFeatures));
  };
  const layerNorm = (name: string): void => {
    out.push([`${name}.weight`, [hidden]], [`${name}.bias`, [hidden]]);
  };
  for (let i = 0; i < spec.dims.layers; i++) {
    const layer = `${prefix}${n.layers}.${i}`;
    for (const proj of [n.query, n.key, n.value, n.attentionOutput])
      linear(`${layer}.attention.${proj}`, hidden, hidden);
    layerNorm(`${layer}.${n.attentionLayerNorm}`);
    const ffn = n.ffn === '' ? layer : `${layer}.${n.ffn}`;
    linear(`${ffn}.${n.ffnIn}`, hidden, intermediate);
    linear(`${ffn}.${n.ffnOut}`, intermediate, hidden);
    layerNorm(`${layer}.${n.outputLayerNorm}`);
  }
  return out;
}

/** spec, prefix, pooler → a base model's [name, shape][]: the encoder's, then (BERT, RoBERTa) pooler.dense. */
export function baseModelParameterShapes(
  spec: EncoderSpec,
  prefix: string,
  { pooler }: { pooler: boolean },
): ParameterShape[] {
  const out = encoderParameterShapes(spec, prefix);
  if (pooler) out.push(...linearShapes(`${prefix}pooler.dense`, spec.dims.hidden, spec.dims.hidden));
  return out;
}

/** name, in, out → a Linear's two shapes: [`name.weight`, [out, in]], [`name.bias`, [out]]. */
export function linearShapes(name: string, inFeatures: number, outFeatures: number): ParameterShape[] {
  return [
    [`${name}.weight`, [outFeatures, inFeatures]],
    [`${name}.bias`, [outFeatures]],
  ];
}
