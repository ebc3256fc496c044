// Float64 references for softmax / log-softmax over the last axis, Hugging Face masking semantics: masked scores
// are *replaced* by float32's minimum (masked_fill), so an all-masked row is uniform.
import { nd, type NdArray } from './nd.js';

export const F32_MIN = -3.4028234663852886e38;

export interface SoftmaxRefOptions {
  /** [B, cols] of 1 (keep) / 0 (masked), for x: [B, ..., cols]. */
  mask?: ArrayLike<number>;
  scale?: number;
  log?: boolean;
}

export function softmax(x: NdArray, options: SoftmaxRefOptions = {}): NdArray {
  const { mask, scale = 1, log = false } = options;
  const cols = x.shape[x.shape.length - 1];
  const rows = x.data.length / cols;
  const rowsPerMask = mask ? rows / x.shape[0] : 1;
  const out = nd(x.shape);
  const z = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const mrow = Math.floor(r / rowsPerMask);
    let m = -Infinity;
    for (let c = 0; c < cols; c++) {
      z[c] = mask && mask[mrow * cols + c] === 0 ? F32_MIN : scale * x.data[r * cols + c];
      m = Math.max(m, z[c]);
    }
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(z[c] - m);
    for (let c = 0; c < cols; c++) out.data[r * cols + c] = log ? z[c] - m - Math.log(s) : Math.exp(z[c] - m) / s;
  }
  return out;
}

export const logSoftmax = (x: NdArray, options: Omit<SoftmaxRefOptions, 'log'> = {}): NdArray =>
  softmax(x, { ...options, log: true });
