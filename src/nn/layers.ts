// The leaf modules DistilBERT needs: Linear, LayerNorm, Embedding, Dropout.
import { dropout, type DropoutRng } from '../ops/dropout.js';
import { embedding } from '../ops/embedding.js';
import { layerNorm } from '../ops/layernorm.js';
import { matmul } from '../ops/matmul.js';
import type { Tensor } from '../tensor/tensor.js';
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
  /** With activation 'gelu': gelu(x·Wᵀ + b), the GELU fused into the product's epilogue. */
  forward(x: Tensor, activation?: 'gelu'): Tensor {
    return matmul(x, this.weight, { transB: true, bias: this.bias, activation });
  }
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
