// Float64 references for the optimizer side: torch.nn.utils.clip_grad_norm_ and torch.optim.AdamW (single-tensor
// path), written from the formulas in ../shared/golden/README.md ("AdamW", "Grad clipping").

/** Total L2 norm over all gradients and torch's clip coefficient min(1, maxNorm/(total + 1e-6)). */
export function gradNorm(grads: ArrayLike<number>[], maxNorm = Infinity): { total: number; coef: number } {
  let sq = 0;
  for (const g of grads) {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    sq += s;
  }
  const total = Math.sqrt(sq);
  return { total, coef: Math.min(1, maxNorm / (total + 1e-6)) };
}

export interface AdamWRefState {
  step: number;
  m: Float64Array[];
  v: Float64Array[];
}

export interface AdamWRefOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  /** Weight decay per parameter. */
  weightDecay: number[];
  /** Multiplies every gradient first (the clip coefficient). */
  gradScale?: number;
}

export function adamwInit(params: ArrayLike<number>[]): AdamWRefState {
  return {
    step: 0,
    m: params.map((p) => new Float64Array(p.length)),
    v: params.map((p) => new Float64Array(p.length)),
  };
}

/** One AdamW step in float64, updating params (in place) and state. */
export function adamwStep(
  params: Float64Array[],
  grads: ArrayLike<number>[],
  state: AdamWRefState,
  o: AdamWRefOptions,
): void {
  const [b1, b2] = o.betas ?? [0.9, 0.999];
  const eps = o.eps ?? 1e-8;
  const scale = o.gradScale ?? 1;
  state.step++;
  const bc1 = 1 - b1 ** state.step;
  const bc2Sqrt = Math.sqrt(1 - b2 ** state.step);
  const stepSize = o.lr / bc1;
  params.forEach((p, k) => {
    const m = state.m[k];
    const v = state.v[k];
    const g = grads[k];
    const decay = 1 - o.lr * o.weightDecay[k];
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] * scale;
      p[i] *= decay;
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2Sqrt + eps);
    }
  });
}
