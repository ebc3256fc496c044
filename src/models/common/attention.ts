// Multi-head self-attention with a key padding mask, as the BERT family has it: query/key/value projections,
// softmax(q·kᵀ/√d + mask) with dropout on the probabilities, ·v, the output projection, then the family's dropout on
// that output (BERT's hidden dropout; none in DistilBERT). Parameter names come from the spec (q_lin or self.query).
import type { DropoutRng } from '../../ops/dropout.js';
import { selfAttention } from '../../ops/self_attention.js';
import { Dropout, Linear } from '../../nn/layers.js';
import { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { EncoderSpec } from './encoder_spec.js';
import { gatherRows, type PackPlan } from './packing.js';

/** x: [B, T, hidden], mask: int32 [B, T] → [B, T, hidden]. */
export class SelfAttention extends Module {
  /** On the attention probabilities. */
  readonly dropout: Dropout;
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly output: Linear;
  /** After the output projection (p = 0: the identity, no kernel). */
  readonly outputDropout: Dropout;
  readonly heads: number;
  constructor(spec: EncoderSpec, rng: DropoutRng) {
    super();
    const { hidden } = spec.dims;
    const ir = spec.initializerRange;
    const n = spec.names;
    this.heads = spec.dims.heads;
    this.dropout = this.addModule('dropout', new Dropout(spec.dropout.attentionProbs, rng));
    this.query = this.addModule(n.query, new Linear(hidden, hidden, ir));
    this.key = this.addModule(n.key, new Linear(hidden, hidden, ir));
    this.value = this.addModule(n.value, new Linear(hidden, hidden, ir));
    this.output = this.addModule(n.attentionOutput, new Linear(hidden, hidden, ir));
    this.outputDropout = this.addModule('output_dropout', new Dropout(spec.dropout.attentionOutput, rng));
  }

  forward(x: Tensor, mask?: Tensor): Tensor {
    const context = this.attend(this.query.forward(x), this.key.forward(x), this.value.forward(x), mask);
    return this.outputDropout.forward(this.output.forward(context));
  }

  /** q, k, v: [B, T, hidden], mask: int32 [B, T] → the context [B, T, hidden] (before the output projection). */
  private attend(q: Tensor, k: Tensor, v: Tensor, mask?: Tensor): Tensor {
    // DistilBERT scales q by 1/√d before q·kᵀ, BERT scales the product: folding the scale into the product differs
    // only in rounding. Fused or unfused kernels (selfAttention picks), dropout on the probabilities only while
    // training, as nn.Dropout.
    const headDim = q.shape[2] / this.heads;
    const drop = this.dropout;
    const dropout = drop.training && drop.p > 0 ? { p: drop.p, rng: drop.rng } : undefined;
    return selfAttention(q, k, v, this.heads, { scale: 1 / Math.sqrt(headDim), mask, dropout });
  }

  /**
   * Packed tokens: x [N, hidden] → [N, hidden], or [B, hidden] for the [CLS] rows only (clsOnly). Q, K and V are
   * re-padded to [B, tmax, hidden] for attention; the context is packed back before the output projection. (An empty
   * slot's gradient is exactly 0: it is masked as a key and no output reads it as a query.)
   */
  forwardPacked(x: Tensor, plan: PackPlan, clsOnly: boolean): Tensor {
    const hidden = x.shape[1];
    const padded = (t: Tensor): Tensor => gatherRows(t, plan.unpack).reshape([plan.batch, plan.tmax, hidden]);
    const [q, k, v] = [this.query, this.key, this.value].map((lin) => padded(lin.forward(x)));
    const context = gatherRows(
      this.attend(q, k, v, plan.mask).reshape([plan.batch * plan.tmax, hidden]),
      clsOnly ? plan.clsSlots : plan.pack,
    );
    return this.outputDropout.forward(this.output.forward(context));
  }
}
