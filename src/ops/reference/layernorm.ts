// Float64 reference for LayerNorm over the last axis (biased variance, eps inside the square root, as torch).
import { nd, type NdArray } from './nd.js';

export function layerNorm(x: NdArray, gamma: NdArray, beta: NdArray, eps: number): NdArray {
  const cols = x.shape[x.shape.length - 1];
  const rows = x.data.length / cols;
  const out = nd(x.shape);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let c = 0; c < cols; c++) mean += x.data[r * cols + c];
    mean /= cols;
    let v = 0;
    for (let c = 0; c < cols; c++) v += (x.data[r * cols + c] - mean) ** 2;
    const rstd = 1 / Math.sqrt(v / cols + eps);
    for (let c = 0; c < cols; c++)
      out.data[r * cols + c] = (x.data[r * cols + c] - mean) * rstd * gamma.data[c] + beta.data[c];
  }
  return out;
}
