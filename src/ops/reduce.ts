// Reductions without autograd: the reduce and column-sum kernels, and sumToShape (the backward of broadcasting, used
// by the elementwise, shape and matmul backwards). sum / mean / max, which record a backward, are in reductions.ts.
import reduceWgsl from '../../shaders/reduce.wgsl';
import colsumWgsl from '../../shaders/colsum.wgsl';
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import type { Tensor } from '../tensor/tensor.js';
import { clone } from './basic.js';
import { assertRank, contiguousStrides, empty, grid1d } from './kernel.js';

/** The reductions of reduce.wgsl (its OP override). */
export const REDUCE_OP = { sum: 0, max: 1 } as const;

/** out[kept index] = reduction over the reduced axes (shapes and strides up to rank 8 in the uniforms). */
const REDUCE = defineKernel({
  name: 'reduce',
  source: reduceWgsl,
  bindings: { x: 'read', out: 'read_write' },
  uniforms: {
    n_out: 'u32',
    kept_rank: 'u32',
    red_rank: 'u32',
    red_count: 'u32',
    kept_shape: 'array<vec4<u32>, 2>',
    kept_strides: 'array<vec4<u32>, 2>',
    red_shape: 'array<vec4<u32>, 2>',
    red_strides: 'array<vec4<u32>, 2>',
  },
  constants: (p: { op: (typeof REDUCE_OP)[keyof typeof REDUCE_OP] }) => ({ OP: p.op }),
});

/** Column sums of vec4 columns over row chunks: out[chunk, c] = Σ rows of the chunk (chunks = 1: the total). */
const COLSUM = defineKernel({
  name: 'colsum',
  source: colsumWgsl,
  bindings: { x: 'read', out: 'read_write' },
  uniforms: { rows: 'u32', cols4: 'u32', chunk: 'u32', chunks: 'u32' },
});

/** Raw reduction kernel (no autograd). x: any; returns the kept dims' shape (axes removed). */
export function reduceRaw(x: Tensor, axes: number[], op: keyof typeof REDUCE_OP): Tensor {
  assertRank('reduce', x.shape);
  const strides = contiguousStrides(x.shape);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const keptShape = kept.map((i) => x.shape[i]);
  const out = empty(keptShape);
  const redShape = axes.map((i) => x.shape[i]);
  runtime().dispatch(REDUCE, {
    params: { op: REDUCE_OP[op] },
    bindings: { x: x.binding, out: out.binding },
    uniforms: {
      n_out: out.size,
      kept_rank: kept.length,
      red_rank: axes.length,
      red_count: redShape.reduce((a, b) => a * b, 1),
      kept_shape: keptShape,
      kept_strides: kept.map((i) => strides[i]),
      red_shape: redShape,
      red_strides: axes.map((i) => strides[i]),
    },
    grid: grid1d(out.size),
  });
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
  const raw = reduceRaw(g, axes, 'sum');
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
  const sums = (from: Tensor['binding'], to: Tensor['binding'], n: number, chunk: number, chunks: number): void =>
    rt.dispatch(COLSUM, {
      bindings: { x: from, out: to },
      uniforms: { rows: n, cols4, chunk, chunks },
      grid: [Math.ceil(cols4 / 64), chunks],
    });
  const { chunk, chunks } = columnChunks(rows, cols4);
  if (chunks === 1) {
    sums(x.binding, out.binding, rows, rows, 1);
    return;
  }
  const part = empty([chunks, cols]);
  sums(x.binding, part.binding, rows, chunk, chunks);
  sums(part.binding, out.binding, chunks, chunks, 1);
  part.dispose();
}
