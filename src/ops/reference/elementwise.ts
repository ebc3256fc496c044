// Float64 references for the elementwise ops: broadcasting binary ops, affine, and the unary functions, with an
// erf accurate to ~1e-15 (the GELU kernel's approximation is judged against it).
import { broadcastIndex, broadcastShape, map, nd, sizeOf, unravel, type NdArray } from './nd.js';

export type BinaryName = 'add' | 'sub' | 'mul' | 'div';

export function binary(op: BinaryName, a: NdArray, b: NdArray): NdArray {
  const shape = broadcastShape(a.shape, b.shape);
  const out = nd(shape);
  for (let i = 0; i < sizeOf(shape); i++) {
    const idx = unravel(i, shape);
    const x = a.data[broadcastIndex(idx, a.shape)];
    const y = b.data[broadcastIndex(idx, b.shape)];
    out.data[i] = op === 'add' ? x + y : op === 'sub' ? x - y : op === 'mul' ? x * y : x / y;
  }
  return out;
}

export const affine = (x: NdArray, s: number, c: number): NdArray => map(x, (v) => s * v + c);

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * erf(x) in float64. |x| < 3: the all-positive series erf(x) = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3···(2n+1)) (no
 * cancellation); beyond, 1 − erfc(x) with erfc from its continued fraction.
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a >= 3) return Math.sign(x) * (1 - erfc(a));
  let term = a;
  let sum = a;
  for (let n = 1; n < 200; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return Math.sign(x) * (2 / SQRT_PI) * Math.exp(-a * a) * sum;
}

/** erfc(x) in float64: continued fraction e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) for x ≥ 3. */
export function erfc(x: number): number {
  if (x < 3) return 1 - erf(x);
  let f = x;
  for (let n = 120; n >= 1; n--) f = x + n / 2 / f;
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/** Standard normal CDF Φ(x) = erfc(−x/√2)/2, accurate in both tails. */
export function normalCdf(x: number): number {
  const z = -x / Math.SQRT2;
  return z >= 0 ? 0.5 * erfc(z) : 1 - 0.5 * erfc(-z);
}

/** GELU, exact form x·Φ(x). */
export const geluScalar = (x: number): number => x * normalCdf(x);

export type UnaryName = 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'tanh' | 'relu' | 'gelu' | 'sigmoid' | 'square';

const UNARY: Record<UnaryName, (v: number) => number> = {
  neg: (v) => -v,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (v) => 1 / Math.sqrt(v),
  tanh: Math.tanh,
  relu: (v) => Math.max(v, 0),
  gelu: geluScalar,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  square: (v) => v * v,
};

export function unary(name: UnaryName, x: NdArray): NdArray {
  return map(x, UNARY[name]);
}
