// Float64 reference for (batched) matmul with transposes and bias, plus |A|·|B| (+|bias|), the scale a float32
// product's rounding error is measured against.
import { nd, sizeOf, type NdArray } from './nd.js';

export interface MatmulRefOptions {
  transA?: boolean;
  transB?: boolean;
  bias?: NdArray;
}

/** a: [..., M, K] (or [..., K, M]); b: [K, N] shared or [..., K, N] (or transposed) → [..., M, N]. */
export function matmul(a: NdArray, b: NdArray, options: MatmulRefOptions = {}, abs = false): NdArray {
  const { transA = false, transB = false, bias } = options;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const [kb, n] = transB ? [bc, br] : [br, bc];
  if (k !== kb) throw new Error('reference matmul: inner dimensions differ');
  const batchShape = a.shape.slice(0, ra - 2);
  const batch = sizeOf(batchShape);
  const out = nd([...batchShape, m, n]);
  const f = abs ? Math.abs : (v: number) => v;
  for (let z = 0; z < batch; z++) {
    const ao = z * ar * ac;
    const bo = rb > 2 ? z * br * bc : 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = bias ? f(bias.data[j]) : 0;
        for (let q = 0; q < k; q++) {
          const av = a.data[ao + (transA ? q * ac + i : i * ac + q)];
          const bv = b.data[bo + (transB ? j * bc + q : q * bc + j)];
          s += f(av) * f(bv);
        }
        out.data[(z * m + i) * n + j] = s;
      }
    }
  }
  return out;
}

/** |op(A)|·|op(B)| (+ |bias|). */
export const matmulAbs = (a: NdArray, b: NdArray, options: MatmulRefOptions = {}): NdArray =>
  matmul(a, b, options, true);
