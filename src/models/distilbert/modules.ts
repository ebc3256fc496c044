// DistilBERT's body, module for module as transformers 4.57.6 modeling_distilbert.py: the shared encoder modules
// (models/common) with DistilBERT's names (q_lin, sa_layer_norm, ffn.lin1, …: weights_spec.ts), so namedParameters()
// gives HF's state-dict names and order. The subclasses below only add DistilBERT's property names.
import type { DropoutRng } from '../../ops/dropout.js';
import type { LayerNorm, Linear } from '../../nn/layers.js';
import { SelfAttention } from '../common/attention.js';
import { EncoderLayer } from '../common/encoder_layer.js';
import { EncoderModel } from '../common/encoder_model.js';
import { encoderParameterShapes, type EncoderSpec, type ParameterShape } from '../common/encoder_spec.js';
import { FeedForward } from '../common/feed_forward.js';
import type { DistilBertConfig } from './config.js';
import { DISTILBERT_FAMILY } from './family.js';
import { distilBertEncoderSpec } from './weights_spec.js';

export { Embeddings } from '../common/embeddings.js';

/** Multi-head self-attention with DistilBERT's names. x: [B, T, dim], mask: int32 [B, T] → [B, T, dim]. */
export class MultiHeadSelfAttention extends SelfAttention {
  get qLin(): Linear {
    return this.query;
  }
  get kLin(): Linear {
    return this.key;
  }
  get vLin(): Linear {
    return this.value;
  }
  get outLin(): Linear {
    return this.output;
  }
}

/** lin1 → activation → lin2 → dropout. x: [B, T, dim] → [B, T, dim]. */
export class FFN extends FeedForward {
  get lin1(): Linear {
    return this.intermediate;
  }
  get lin2(): Linear {
    return this.output;
  }
}

/** Post-LN block: h = sa_layer_norm(attn(x) + x); out = output_layer_norm(ffn(h) + h). */
export class TransformerBlock extends EncoderLayer {
  declare readonly attention: MultiHeadSelfAttention;
  declare readonly ffn: FFN;
  constructor(spec: EncoderSpec, rng: DropoutRng) {
    super(spec, rng, { attention: new MultiHeadSelfAttention(spec, rng), ffn: new FFN(spec, rng) });
  }
  get saLayerNorm(): LayerNorm {
    return this.attentionLayerNorm;
  }
}

/**
 * HF's DistilBertModel: embeddings + n_layers blocks (no pooler). forward({ inputIds, attentionMask }) →
 * { lastHiddenState [B, T, dim], hiddenStates? }; inside DistilBertForSequenceClassification it is `model.distilbert`.
 */
export class DistilBertModel extends EncoderModel<DistilBertConfig> {
  static readonly className: string = 'DistilBertModel';
  static readonly family = DISTILBERT_FAMILY;
  static readonly isBaseModel: boolean = true;
  declare readonly layers: TransformerBlock[];

  /** Use DistilBertModel.fromConfig / fromPretrained (or a head model builds it as its body, sharing its `rng`). */
  constructor(config: DistilBertConfig, seed: number, rng?: DropoutRng) {
    super(config, seed, rng, { pooler: false });
    this.nameParameters();
  }

  static parameterShapes(config: DistilBertConfig): ParameterShape[] {
    return encoderParameterShapes(distilBertEncoderSpec(config), '');
  }

  protected override makeLayer(spec: EncoderSpec, rng: DropoutRng): TransformerBlock {
    return new TransformerBlock(spec, rng);
  }
}
