// DistilBERT's body, module for module as transformers 4.57.6 modeling_distilbert.py (same names, same
// registration order, so namedParameters() gives HF's state-dict names and order).
import { tensor } from '../../ops/basic.js';
import type { DropoutRng } from '../../ops/dropout.js';
import { add, addScalar, gelu, mul, mulScalar, relu, sigmoid, tanh } from '../../ops/elementwise.js';
import { selfAttention } from '../../ops/self_attention.js';
import { Dropout, Embedding, LayerNorm, Linear } from '../../nn/layers.js';
import { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { DistilBertActivation, DistilBertConfig } from './config.js';
import { gatherRows, type PackPlan } from './packing.js';

/** DistilBERT hard-codes eps = 1e-12 for every LayerNorm, whatever the config says. */
const LAYER_NORM_EPS = 1e-12;

/** word + learned position embeddings → LayerNorm → dropout. ids: int32 [B, T] → [B, T, dim]. */
export class Embeddings extends Module {
  readonly wordEmbeddings: Embedding;
  readonly positionEmbeddings: Embedding;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;
  constructor(config: DistilBertConfig, rng: DropoutRng) {
    super();
    const ir = config.initializer_range;
    this.wordEmbeddings = this.addModule('word_embeddings', new Embedding(config.vocab_size, config.dim, config.pad_token_id, ir));
    this.positionEmbeddings = this.addModule('position_embeddings', new Embedding(config.max_position_embeddings, config.dim, null, ir));
    this.layerNorm = this.addModule('LayerNorm', new LayerNorm(config.dim, LAYER_NORM_EPS));
    this.dropout = this.addModule('dropout', new Dropout(config.dropout, rng));
  }
  forward(ids: Tensor): Tensor {
    const t = ids.shape[1];
    const positions = tensor(Int32Array.from({ length: t }, (_, i) => i), [t]); // position_ids = arange(T)
    return this.forwardTokens(ids, positions); // [B,T,C] + [T,C]
  }
  /** ids: int32 [..., N], positions: int32 [N] (their position ids) → [..., N, dim]; packed tokens (packing.ts) too. */
  forwardTokens(ids: Tensor, positions: Tensor): Tensor {
    const x = add(this.wordEmbeddings.forward(ids), this.positionEmbeddings.forward(positions));
    return this.dropout.forward(this.layerNorm.forward(x));
  }
}

/** Multi-head self-attention with a key padding mask. x: [B, T, dim], mask: int32 [B, T] → [B, T, dim]. */
export class MultiHeadSelfAttention extends Module {
  readonly dropout: Dropout;
  readonly qLin: Linear;
  readonly kLin: Linear;
  readonly vLin: Linear;
  readonly outLin: Linear;
  readonly heads: number;
  constructor(config: DistilBertConfig, rng: DropoutRng) {
    super();
    const { dim, initializer_range: ir } = config;
    this.heads = config.n_heads;
    this.dropout = this.addModule('dropout', new Dropout(config.attention_dropout, rng));
    this.qLin = this.addModule('q_lin', new Linear(dim, dim, ir));
    this.kLin = this.addModule('k_lin', new Linear(dim, dim, ir));
    this.vLin = this.addModule('v_lin', new Linear(dim, dim, ir));
    this.outLin = this.addModule('out_lin', new Linear(dim, dim, ir));
  }
  forward(x: Tensor, mask?: Tensor): Tensor {
    return this.outLin.forward(this.attend(this.qLin.forward(x), this.kLin.forward(x), this.vLin.forward(x), mask));
  }
  /** q, k, v: [B, T, dim], mask: int32 [B, T] → the context [B, T, dim] (before out_lin). */
  private attend(q: Tensor, k: Tensor, v: Tensor, mask?: Tensor): Tensor {
    // HF scales q by 1/√d before q·kᵀ; folding the scale into the product differs only in rounding. Fused or
    // unfused kernels (selfAttention picks), dropout on the probabilities only while training, as nn.Dropout.
    const headDim = q.shape[2] / this.heads;
    const drop = this.dropout;
    const dropout = drop.training && drop.p > 0 ? { p: drop.p, rng: drop.rng } : undefined;
    return selfAttention(q, k, v, this.heads, { scale: 1 / Math.sqrt(headDim), mask, dropout });
  }
  /**
   * Packed tokens: x [N, dim] → [N, dim], or [B, dim] for the [CLS] rows only (clsOnly). Q, K and V are re-padded
   * to [B, tmax, dim] for attention; the context is packed back before out_lin. (An empty slot's gradient is exactly
   * 0: it is masked as a key and no output reads it as a query.)
   */
  forwardPacked(x: Tensor, plan: PackPlan, clsOnly: boolean): Tensor {
    const dim = x.shape[1];
    const padded = (t: Tensor): Tensor => gatherRows(t, plan.unpack).reshape([plan.batch, plan.tmax, dim]);
    const [q, k, v] = [this.qLin, this.kLin, this.vLin].map((lin) => padded(lin.forward(x)));
    const context = this.attend(q, k, v, plan.mask);
    return this.outLin.forward(gatherRows(context.reshape([plan.batch * plan.tmax, dim]), clsOnly ? plan.clsSlots : plan.pack));
  }
}

/** lin1 → activation → lin2 → dropout. x: [B, T, dim] → [B, T, dim]. */
export class FFN extends Module {
  readonly dropout: Dropout;
  readonly lin1: Linear;
  readonly lin2: Linear;
  constructor(
    config: DistilBertConfig,
    rng: DropoutRng,
    readonly activation: DistilBertActivation = config.activation,
  ) {
    super();
    this.dropout = this.addModule('dropout', new Dropout(config.dropout, rng));
    this.lin1 = this.addModule('lin1', new Linear(config.dim, config.hidden_dim, config.initializer_range));
    this.lin2 = this.addModule('lin2', new Linear(config.hidden_dim, config.dim, config.initializer_range));
  }
  forward(x: Tensor): Tensor {
    // Exact GELU (DistilBERT's default) is fused into lin1's matmul epilogue; the other activations run after it.
    const h = this.activation === 'gelu' ? this.lin1.forward(x, 'gelu') : activate(this.activation, this.lin1.forward(x));
    return this.dropout.forward(this.lin2.forward(h));
  }
}

/** HF ACT2FN for the activations DistilBertConfig allows. */
function activate(name: DistilBertActivation, x: Tensor): Tensor {
  switch (name) {
    case 'gelu':
      return gelu(x); // exact erf form
    case 'relu':
      return relu(x);
    case 'silu':
      return mul(x, sigmoid(x));
    case 'gelu_new': {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const inner = mulScalar(add(x, mulScalar(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
      return mul(mulScalar(x, 0.5), addScalar(tanh(inner), 1));
    }
  }
}

/** Post-LN block: h = sa_layer_norm(attn(x) + x); out = output_layer_norm(ffn(h) + h). */
export class TransformerBlock extends Module {
  readonly attention: MultiHeadSelfAttention;
  readonly saLayerNorm: LayerNorm;
  readonly ffn: FFN;
  readonly outputLayerNorm: LayerNorm;
  constructor(config: DistilBertConfig, rng: DropoutRng) {
    super();
    this.attention = this.addModule('attention', new MultiHeadSelfAttention(config, rng));
    this.saLayerNorm = this.addModule('sa_layer_norm', new LayerNorm(config.dim, LAYER_NORM_EPS));
    this.ffn = this.addModule('ffn', new FFN(config, rng));
    this.outputLayerNorm = this.addModule('output_layer_norm', new LayerNorm(config.dim, LAYER_NORM_EPS));
  }
  forward(x: Tensor, mask?: Tensor): Tensor {
    const h = this.saLayerNorm.forward(add(this.attention.forward(x, mask), x));
    return this.outputLayerNorm.forward(add(this.ffn.forward(h), h));
  }
  /** Packed tokens: x [N, dim] → [N, dim], or [B, dim] for the [CLS] rows only (clsOnly). */
  forwardPacked(x: Tensor, plan: PackPlan, clsOnly: boolean): Tensor {
    const residual = clsOnly ? gatherRows(x, plan.cls) : x;
    const h = this.saLayerNorm.forward(add(this.attention.forwardPacked(x, plan, clsOnly), residual));
    return this.outputLayerNorm.forward(add(this.ffn.forward(h), h));
  }
}

/** Embeddings + n_layers blocks. ids, mask: int32 [B, T] → every hidden state [B, T, dim] (index 0 = embeddings). */
export class DistilBertModel extends Module {
  readonly embeddings: Embeddings;
  readonly layers: TransformerBlock[] = [];
  constructor(config: DistilBertConfig, rng: DropoutRng) {
    super();
    this.embeddings = this.addModule('embeddings', new Embeddings(config, rng));
    const transformer = this.addModule('transformer', new Transformer());
    for (let i = 0; i < config.n_layers; i++) this.layers.push(transformer.add(`layer.${i}`, new TransformerBlock(config, rng)));
  }
  forward(ids: Tensor, mask?: Tensor): Tensor[] {
    const hidden = [this.embeddings.forward(ids)];
    for (const layer of this.layers) hidden.push(layer.forward(hidden[hidden.length - 1], mask));
    return hidden;
  }
  /** Packed tokens (packing.ts): → the last layer's [CLS] rows [B, dim], i.e. hidden[-1][:, 0]. */
  forwardCls(plan: PackPlan): Tensor {
    let x = this.embeddings.forwardTokens(plan.ids, plan.positions);
    this.layers.forEach((layer, i) => (x = layer.forwardPacked(x, plan, i === this.layers.length - 1)));
    return this.layers.length ? x : gatherRows(x, plan.cls);
  }
}

/** The `transformer` container (HF's Transformer holding the `layer` ModuleList). */
class Transformer extends Module {
  add<M extends Module>(name: string, m: M): M {
    return this.addModule(name, m);
  }
}
