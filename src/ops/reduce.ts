// Reductions without autograd: the reduce and column-sum kernels, and sumToShape (the backward of broadcasting, used
// by the elementwise, shape and matmul backwards). sum / mean / max, which record a backward, are in reductions.ts.
import reduceWgsl from '../../shaders/reduce.wgsl';
import colsumWgsl from '../../shaders/colsum.wgsl';
import { runtime } from '../runtime/device.js';
import { Uniforms } from '../runtime/runtime.js';
import type { Tensor } from '../tensor/tensor.js';
import { clone } from './basic.js';
import { assertRank, contiguousStrides, empty, grid1d, kernel } from './kernel.js';

/** Raw reduction kernel (no autograd). x: any; returns the kept dims' shape (axes removed). */
export function reduceRaw(x: Tensor, axes: number[], op: 0 | 1): Tensor {
  assertRank('reduce', x.shape);
  const strides = contiguousStrides(x.shape);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const keptShape = kept.map((i) => x.shape[i]);
  const out = empty(keptShape);
  const vec8 = (vals: number[]): number[] => [...vals, ...Array(8 - vals.length).fill(0)];
  const redShape = axes.map((i) => x.shape[i]);
  const u = new Uniforms()
    .u32(out.size, kept.length, axes.length, redShape.reduce((a, b) => a * b, 1))
    .u32(...vec8(keptShape), ...vec8(kept.map((i) => strides[i])))
    .u32(...vec8(redShape), ...vec8(axes.map((i) => strides[i])));
  runtime().dispatch(kernel('reduce', reduceWgsl, { OP: op }), [x.binding, out.binding], u.buffer, grid1d(out.size));
  return out;
}

/**
 * Sums a broadcast gradient back to `shape` (the inverse of broadcasting). g: broadcast shape → shape.
 * Always returns new storage: two gradients must never alias, since clipping and accumulation work in place.
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  const offset = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    const d = i - offset;
    if (d < 0 || (shape[d] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) {
    const copy = clone(g);
    const view = copy.reshape(shape);
    copy.dispose();
    return view;
  }
  // Leading axes only, over a contiguous inner block of 4k columns (bias gradients): two-stage column sums.
  const inner = g.shape.slice(axes.length).reduce((a, b) => a * b, 1);
  if (axes.every((a, i) => a === i) && inner % 4 === 0 && inner > 0) {
    const out = empty([...shape]);
    columnSums(g, g.size / inner, inner, out);
    return out;
  }
  const raw = reduceRaw(g, axes, 0);
  const out = raw.reshape(shape);
  raw.dispose();
  return out;
}

/** Row chunking of a two-stage column reduction: enough (column, chunk) invocations to fill a GPU, ≥ 16 rows each. */
export function columnChunks(rows: number, cols4: number): { chunk: number; chunks: number } {
  if (rows <= 0) return { chunk: 1, chunks: 1 };
  const want = Math.max(1, Math.min(Math.ceil(rows / 16), Math.floor(16384 / Math.max(1, cols4))));
  const chunk = Math.ceil(rows / want);
  return { chunk, chunks: Math.ceil(rows / chunk) };
}

/**
 * out[c] = Σ_r x[r, c] for a contiguous [rows, cols] x (cols a multiple of 4), in two deterministic stages: row-chunk
 * partials (vec4 columns), then their sum in chunk order. `x` may be a GPU binding of partials already made.
 */
export function columnSums(x: Tensor | { binding: Tensor['binding'] }, rows: number, cols: number, out: Tensor): void {
  const cols4 = cols / 4;
  const rt = runtime();
  const k = kernel('colsum', colsumWgsl);
  const grid = (chunks: number): [number, number] => [Math.ceil(cols4 / 64), chunks];
  const { chunk, chunks } = columnChunks(rows, cols4);
  if (chunks === 1) {
    rt.dispatch(k, [x.binding, out.binding], new Uniforms().u32(rows, cols4, rows, 1).buffer, grid(1));
    return;
  }
  const part = empty([chunks, cols]);
  rt.dispatch(k, [x.binding, part.binding], new Uniforms().u32(rows, cols4, chunk, chunks).buffer, grid(chunks));
  rt.dispatch(k, [part.binding, out.binding], new Uniforms().u32(chunks, cols4, chunks, 1).buffer, grid(1));
  part.dispose();
}
