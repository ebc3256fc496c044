// One post-LN encoder layer of the BERT family: h = LN₁(attention(x) + x); out = LN₂(ffn(h) + h). DistilBERT's
// TransformerBlock and BERT's BertLayer are both this, with their own names (spec.names) and eps.
import type { DropoutRng } from '../../ops/dropout.js';
import { add } from '../../ops/elementwise.js';
import { LayerNorm } from '../../nn/layers.js';
import { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/tensor.js';
import { SelfAttention } from './attention.js';
import type { EncoderSpec } from './encoder_spec.js';
import { FeedForward } from './feed_forward.js';
import { gatherRows, type PackPlan } from './packing.js';

/** The layer's two sub-blocks, for a family that subclasses them (DistilBERT's named aliases). */
export interface LayerParts {
  attention: SelfAttention;
  ffn: FeedForward;
}

/** x: [B, T, hidden], mask: int32 [B, T] → [B, T, hidden]. Registered in HF's order: attention, LN₁, FFN, LN₂. */
export class EncoderLayer extends Module {
  readonly attention: SelfAttention;
  readonly attentionLayerNorm: LayerNorm;
  readonly ffn: FeedForward;
  readonly outputLayerNorm: LayerNorm;
  constructor(spec: EncoderSpec, rng: DropoutRng, parts?: LayerParts) {
    super();
    const n = spec.names;
    this.attention = this.addModule('attention', parts?.attention ?? new SelfAttention(spec, rng));
    this.attentionLayerNorm = this.addModule(n.attentionLayerNorm, new LayerNorm(spec.dims.hidden, spec.eps));
    this.ffn = this.addModule(n.ffn, parts?.ffn ?? new FeedForward(spec, rng));
    this.outputLayerNorm = this.addModule(n.outputLayerNorm, new LayerNorm(spec.dims.hidden, spec.eps));
  }
  forward(x: Tensor, mask?: Tensor): Tensor {
    const h = this.attentionLayerNorm.forward(add(this.attention.forward(x, mask), x));
    return this.outputLayerNorm.forward(add(this.ffn.forward(h), h));
  }
  /** Packed tokens: x [N, hidden] → [N, hidden], or [B, hidden] for the [CLS] rows only (clsOnly). */
  forwardPacked(x: Tensor, plan: PackPlan, clsOnly: boolean): Tensor {
    const residual = clsOnly ? gatherRows(x, plan.cls) : x;
    const h = this.attentionLayerNorm.forward(add(this.attention.forwardPacked(x, plan, clsOnly), residual));
    return this.outputLayerNorm.forward(add(this.ffn.forward(h), h));
  }
}
