// Float64 references for sum / mean / max over axes.
import { nd, sizeOf, unravel, type NdArray } from './nd.js';

function axesOf(axes: number | number[] | undefined, rank: number): number[] {
  const list = axes === undefined ? [...Array(rank).keys()] : Array.isArray(axes) ? axes : [axes];
  return [...new Set(list.map((a) => (a < 0 ? a + rank : a)))];
}

function reduce(
  x: NdArray,
  axes: number | number[] | undefined,
  keepDims: boolean,
  init: number,
  f: (acc: number, v: number) => number,
): NdArray {
  const ax = axesOf(axes, x.shape.length);
  const keptShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const out = nd(keptShape);
  out.data.fill(init);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape);
    let o = 0;
    for (let d = 0; d < idx.length; d++) o = o * keptShape[d] + (ax.includes(d) ? 0 : idx[d]);
    out.data[o] = f(out.data[o], x.data[i]);
  }
  if (!keepDims) out.shape = x.shape.filter((_, i) => !ax.includes(i));
  return out;
}

export const sum = (x: NdArray, axes?: number | number[], keepDims = false): NdArray =>
  reduce(x, axes, keepDims, 0, (a, v) => a + v);

export function mean(x: NdArray, axes?: number | number[], keepDims = false): NdArray {
  const ax = axesOf(axes, x.shape.length);
  const count = ax.reduce((n, a) => n * x.shape[a], 1);
  const s = sum(x, axes, keepDims);
  for (let i = 0; i < s.data.length; i++) s.data[i] /= count;
  return s;
}

export const max = (x: NdArray, axes?: number | number[], keepDims = false): NdArray =>
  reduce(x, axes, keepDims, -Infinity, Math.max);

/** Σ|x| over the same axes: the scale against which a float32 sum's rounding error is judged. */
export function sumAbs(x: NdArray, axes?: number | number[], keepDims = false): NdArray {
  return reduce(x, axes, keepDims, 0, (a, v) => a + Math.abs(v));
}

export { sizeOf };
