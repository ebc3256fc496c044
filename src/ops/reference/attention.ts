// Float64 references for the attention products, with the heads split out explicitly (no strided tricks).
import { nd, type NdArray } from './nd.js';

/** q, k: [B, T, H·D] → scores [B, H, T, T] = scale · q_h k_hᵀ. */
export function attentionScores(q: NdArray, k: NdArray, heads: number, scale = 1): NdArray {
  const [b, t, hd] = q.shape;
  const d = hd / heads;
  const qh = splitHeads(q, heads);
  const kh = splitHeads(k, heads);
  const out = nd([b, heads, t, t]);
  for (let bb = 0; bb < b; bb++) {
    for (let h = 0; h < heads; h++) {
      const base = (bb * heads + h) * t * d;
      for (let i = 0; i < t; i++) {
        for (let j = 0; j < t; j++) {
          let s = 0;
          for (let c = 0; c < d; c++) s += qh.data[base + i * d + c] * kh.data[base + j * d + c];
          out.data[((bb * heads + h) * t + i) * t + j] = scale * s;
        }
      }
    }
  }
  return out;
}

/** probs: [B, H, T, T], v: [B, T, H·D] → [B, T, H·D]: heads merged back after probs_h · v_h. */
export function attentionContext(probs: NdArray, v: NdArray, heads: number): NdArray {
  const [b, t, hd] = v.shape;
  const d = hd / heads;
  const vh = splitHeads(v, heads);
  const ctx = nd([b, heads, t, d]);
  for (let bb = 0; bb < b; bb++) {
    for (let h = 0; h < heads; h++) {
      const pb = (bb * heads + h) * t * t;
      const vb = (bb * heads + h) * t * d;
      for (let i = 0; i < t; i++) {
        for (let c = 0; c < d; c++) {
          let s = 0;
          for (let j = 0; j < t; j++) s += probs.data[pb + i * t + j] * vh.data[vb + j * d + c];
          ctx.data[vb + i * d + c] = s;
        }
      }
    }
  }
  return mergeHeads(ctx);
}

/** [B, T, H·D] → [B, H, T, D]. */
export function splitHeads(x: NdArray, heads: number): NdArray {
  const [b, t, hd] = x.shape;
  const d = hd / heads;
  const out = nd([b, heads, t, d]);
  for (let bb = 0; bb < b; bb++)
    for (let i = 0; i < t; i++)
      for (let h = 0; h < heads; h++)
        for (let c = 0; c < d; c++)
          out.data[((bb * heads + h) * t + i) * d + c] = x.data[(bb * t + i) * hd + h * d + c];
  return out;
}

/** [B, H, T, D] → [B, T, H·D]. */
export function mergeHeads(x: NdArray): NdArray {
  const [b, heads, t, d] = x.shape;
  const out = nd([b, t, heads * d]);
  for (let bb = 0; bb < b; bb++)
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < t; i++)
        for (let c = 0; c < d; c++)
          out.data[(bb * t + i) * heads * d + h * d + c] = x.data[((bb * heads + h) * t + i) * d + c];
  return out;
}
