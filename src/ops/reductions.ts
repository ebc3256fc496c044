// sum / mean / max over axes, with their backwards (a broadcast back; shares of the gradient where x equals the max).
// The reduction kernels they run are in reduce.ts, below elementwise.ts and shape.ts, whose backwards need sumToShape.
import { record } from '../autograd/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { div, eq, mul, mulScalar } from './elementwise.js';
import { assertFloat } from './kernel.js';
import { reduceRaw, sumToShape } from './reduce.js';
import { broadcastTo } from './shape.js';

function normalizeAxes(axes: number | number[] | undefined, rank: number): number[] {
  const list = axes === undefined ? [...Array(rank).keys()] : Array.isArray(axes) ? axes : [axes];
  return [...new Set(list.map((a) => (a < 0 ? a + rank : a)))]
    .sort((a, b) => a - b)
    .map((a) => {
      if (a < 0 || a >= rank) throw new Error(`reduce: axis ${a} out of range for rank ${rank}`);
      return a;
    });
}

function keepDimsShape(shape: readonly number[], axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Sum over `axes` (all by default). x: any → x without those axes (or with size-1 axes when keepDims). */
export function sum(x: Tensor, axes?: number | number[], keepDims = false): Tensor {
  assertFloat('sum', x);
  const ax = normalizeAxes(axes, x.rank);
  const raw = reduceRaw(x, ax, 'sum');
  const out = keepDims ? raw.reshape(keepDimsShape(x.shape, ax)) : raw;
  if (keepDims) raw.dispose();
  const inShape = x.shape;
  return record('sum', [x], out, (g) => [broadcastTo(g.reshape(keepDimsShape(inShape, ax)), inShape)]);
}

/** Mean over `axes`. x: any → reduced shape. */
export function mean(x: Tensor, axes?: number | number[], keepDims = false): Tensor {
  const ax = normalizeAxes(axes, x.rank);
  const count = ax.reduce((n, a) => n * x.shape[a], 1);
  const s = sum(x, ax, keepDims);
  return mulScalar(s, 1 / count);
}

/** Max over `axes`; the gradient goes to every position equal to the max. x: any → reduced shape. */
export function max(x: Tensor, axes?: number | number[], keepDims = false): Tensor {
  assertFloat('max', x);
  const ax = normalizeAxes(axes, x.rank);
  const raw = reduceRaw(x, ax, 'max');
  const out = keepDims ? raw.reshape(keepDimsShape(x.shape, ax)) : raw;
  if (keepDims) raw.dispose();
  return record('max', [x], out, (g) => [maxBackward(x, out, g, ax)]);
}

function maxBackward(x: Tensor, out: Tensor, g: Tensor, axes: number[]): Tensor {
  const shape = keepDimsShape(x.shape, axes);
  const isMax = eq(x, out.reshape(shape));
  const count = sumToShape(isMax, shape);
  const share = div(g.reshape(shape), count);
  const r = mul(isMax, share);
  for (const t of [isMax, count, share]) t.dispose();
  return r;
}
