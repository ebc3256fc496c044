// The leaf modules DistilBERT needs: Linear, LayerNorm, Embedding, Dropout.
import { dropout, type DropoutRng } from '../ops/dropout.js';
import { embedding } from '../ops/embedding.js';
import { layerNorm } from '../ops/layernorm.js';
import { record } from '../autograd/tape.js';
import { cast } from '../ops/cast.js';
import { matmul } from '../ops/matmul.js';
import { keep } from '../tensor/scope.js';
import { gradEnabled, noGrad, type Tensor } from '../tensor/tensor.js';
import { constantInit, normalInit } from './init.js';
import { Module } from './module.js';

/** y = x·Wᵀ + b. weight: [out, in] (torch layout), bias: [out]. x: [..., in] → [..., out]. */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    initializerRange = 0.02,
  ) {
    super();
    this.weight = this.addParameter('weight', [outFeatures, inFeatures], normalInit(initializerRange));
    this.bias = this.addParameter('bias', [outFeatures], constantInit(0));
  }
  /**
   * 'f16': the product reads a float16 copy of the f32 master weight (needs shader-f16), cast once per weight version
   * (an optimizer step or a load bumps it), so micro-batches of one step and evaluations share it. Accumulation,
   * activations and gradients stay f32; the gradient reaches the f32 weight. Setting 'f32' frees the copy.
   */
  get weightDtype(): 'f32' | 'f16' {
    return this.dtype;
  }
  set weightDtype(dtype: 'f32' | 'f16') {
    this.dtype = dtype;
    if (dtype === 'f32') this.releaseHalf();
  }
  private dtype: 'f32' | 'f16' = 'f32';
  /** The f16 copy, reused while the weight is unchanged (weight.version). */
  private half: { tensor: Tensor; version: number } | undefined;

  /** With activation 'gelu': gelu(x·Wᵀ + b), the GELU fused into the product's epilogue. */
  forward(x: Tensor, activation?: 'gelu'): Tensor {
    if (this.weightDtype === 'f32') return matmul(x, this.weight, { transB: true, bias: this.bias, activation });
    const w16 = this.halfWeight();
    const y = matmul(x, w16, { transB: true, bias: this.bias, activation });
    if (w16 !== this.half?.tensor && !y.gradFn) w16.dispose();
    return y;
  }

  /**
   * The f16 weight: the kept copy, recast only when the weight's version moved (a cast per forward cost more than the
   * products: bench/README.md, *f16 weights*). When a gradient is wanted, a view of it recorded as the cast, so the
   * gradient reaches the f32 weight (the view belongs to the caller's scope; the copy stays).
   */
  private halfWeight(): Tensor {
    if (this.half?.version !== this.weight.version) {
      this.half?.tensor.dispose();
      this.half = { tensor: keep(noGrad(() => cast(this.weight, 'f16'))), version: this.weight.version };
    }
    const copy = this.half.tensor;
    if (!gradEnabled() || !this.weight.requiresGrad) return copy;
    return record('cast_f16', [this.weight], copy.reshape(copy.shape), (g) => [g.reshape(g.shape)]);
  }

  private releaseHalf(): void {
    this.half?.tensor.dispose();
    this.half = undefined;
  }

  override dispose(): void {
    this.releaseHalf();
    super.dispose();
  }
}

/** Sets the weight dtype of every Linear under `root` (see Linear.weightDtype). */
export function setLinearWeightDtype(root: Module, dtype: 'f32' | 'f16'): void {
  if (root instanceof Linear) root.weightDtype = dtype;
  for (const [, child] of root.children()) setLinearWeightDtype(child, dtype);
}

/** LayerNorm over the last axis. x: [..., dim] → [..., dim]. */
export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(
    readonly dim: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.addParameter('weight', [dim], constantInit(1));
    this.bias = this.addParameter('bias', [dim], constantInit(0));
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

/** Lookup table [num, dim]; row paddingIdx starts at zero and never gets a gradient. ids: int32 [...] → [..., dim]. */
export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(
    readonly num: number,
    readonly dim: number,
    readonly paddingIdx: number | null = null,
    initializerRange = 0.02,
  ) {
    super();
    const normal = normalInit(initializerRange);
    this.weight = this.addParameter('weight', [num, dim], (n, seed) => {
      const w = normal(n, seed);
      if (paddingIdx !== null) w.fill(0, paddingIdx * dim, (paddingIdx + 1) * dim);
      return w;
    });
  }
  forward(ids: Tensor): Tensor {
    return embedding(this.weight, ids, this.paddingIdx ?? -1);
  }
}

/** Dropout with a shared counter-based stream; in eval mode (or p = 0) it returns x itself: no kernel at all. */
export class Dropout extends Module {
  constructor(
    readonly p: number,
    readonly rng: DropoutRng,
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    return dropout(x, this.p, this.rng);
  }
}
