// The two batched products of multi-head attention, reading heads in place from [B, T, H·D] projections and
// writing the context straight back into that layout: no split-heads or merge-heads transpose is materialised.
import { record } from '../autograd/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { empty } from './kernel.js';
import { stridedMatmul, type MatrixLayout } from './matmul_strided.js';

/** Layout of head h, batch b of a [B, T, H·D] tensor viewed as [B, H, T, D] (or transposed: [B, H, D, T]). */
function headsLayout(t: number, h: number, d: number, transposed = false): MatrixLayout {
  const row = h * d;
  return transposed ? { batch1: t * row, batch2: d, row: 1, col: row } : { batch1: t * row, batch2: d, row, col: 1 };
}

/** Layout of a contiguous [B, H, R, C] tensor (or read transposed as [B, H, C, R]). */
function denseLayout(h: number, r: number, c: number, transposed = false): MatrixLayout {
  return transposed
    ? { batch1: h * r * c, batch2: r * c, row: 1, col: c }
    : { batch1: h * r * c, batch2: r * c, row: c, col: 1 };
}

/** x: [B, T, H·D] → [B, T, D]; a clear error for any other shape. */
export function checkHeads(op: string, x: Tensor, heads: number): [number, number, number] {
  if (x.rank !== 3 || x.shape[2] % heads !== 0)
    throw new Error(`${op}: expected [B, T, H·D] with H = ${heads}, got [${x.shape}]`);
  return [x.shape[0], x.shape[1], x.shape[2] / heads];
}

/** scores[b,h] = scale · q[b,:,h] · k[b,:,h]ᵀ. q, k: [B, T, H·D] → [B, H, T, T]. */
export function attentionScores(q: Tensor, k: Tensor, heads: number, scale = 1): Tensor {
  const [b, t, d] = checkHeads('attentionScores', q, heads);
  if (k.shape.join() !== q.shape.join()) throw new Error(`attentionScores: k [${k.shape}] must match q [${q.shape}]`);
  const out = empty([b, heads, t, t]);
  stridedMatmul({
    a: q,
    aLayout: headsLayout(t, heads, d),
    b: k,
    bLayout: headsLayout(t, heads, d, true),
    c: out,
    cLayout: denseLayout(heads, t, t),
    m: t,
    n: t,
    k: d,
    batch1: b,
    batch2: heads,
    alpha: scale,
  });
  return record('attentionScores', [q, k], out, (g) => {
    // dq = scale · g · k ;  dk = scale · gᵀ · q
    const dq = empty(q.shape);
    stridedMatmul({
      a: g,
      aLayout: denseLayout(heads, t, t),
      b: k,
      bLayout: headsLayout(t, heads, d),
      c: dq,
      cLayout: headsLayout(t, heads, d),
      m: t,
      n: d,
      k: t,
      batch1: b,
      batch2: heads,
      alpha: scale,
    });
    const dk = empty(k.shape);
    stridedMatmul({
      a: g,
      aLayout: denseLayout(heads, t, t, true),
      b: q,
      bLayout: headsLayout(t, heads, d),
      c: dk,
      cLayout: headsLayout(t, heads, d),
      m: t,
      n: d,
      k: t,
      batch1: b,
      batch2: heads,
      alpha: scale,
    });
    return [dq, dk];
  });
}

/** context[b,:,h] = probs[b,h] · v[b,:,h]. probs: [B, H, T, T], v: [B, T, H·D] → [B, T, H·D]. */
export function attentionContext(probs: Tensor, v: Tensor, heads: number): Tensor {
  const [b, t, d] = checkHeads('attentionContext', v, heads);
  if (probs.shape.join() !== [b, heads, t, t].join())
    throw new Error(`attentionContext: probs must be [${b}, ${heads}, ${t}, ${t}], got [${probs.shape}]`);
  const out = empty(v.shape);
  stridedMatmul({
    a: probs,
    aLayout: denseLayout(heads, t, t),
    b: v,
    bLayout: headsLayout(t, heads, d),
    c: out,
    cLayout: headsLayout(t, heads, d),
    m: t,
    n: d,
    k: t,
    batch1: b,
    batch2: heads,
  });
  return record('attentionContext', [probs, v], out, (g) => {
    // dprobs = g · vᵀ ;  dv = probsᵀ · g
    const dp = empty(probs.shape);
    stridedMatmul({
      a: g,
      aLayout: headsLayout(t, heads, d),
      b: v,
      bLayout: headsLayout(t, heads, d, true),
      c: dp,
      cLayout: denseLayout(heads, t, t),
      m: t,
      n: t,
      k: d,
      batch1: b,
      batch2: heads,
    });
    const dv = empty(v.shape);
    stridedMatmul({
      a: probs,
      aLayout: denseLayout(heads, t, t, true),
      b: g,
      bLayout: headsLayout(t, heads, d),
      c: dv,
      cLayout: headsLayout(t, heads, d),
      m: t,
      n: d,
      k: t,
      batch1: b,
      batch2: heads,
    });
    return [dp, dv];
  });
}
