// Layout ops, for where a layout change is really needed: broadcastTo, permute/transpose, narrow (slice),
// all through one strided-copy kernel. Matmul reads transposed operands in place, so these stay rare.
import stridedCopyWgsl from '../../shaders/strided_copy.wgsl';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import type { Tensor } from '../tensor/tensor.js';
import { zeros } from './basic.js';
import { assertRank, contiguousStrides, empty, grid1d } from './kernel.js';
import { broadcastShapes, broadcastStrides } from './elementwise.js';
import { sumToShape } from './reduce.js';

/** out[out_offset + Σ i·out_strides] = x[in_offset + Σ i·in_strides] over the n elements of `shape` (rank ≤ 8). */
const STRIDED_COPY = defineKernel({
  name: 'strided_copy',
  source: stridedCopyWgsl,
  bindings: { x: 'read', out: 'read_write' },
  uniforms: {
    n: 'u32',
    rank: 'u32',
    in_offset: 'u32',
    out_offset: 'u32',
    shape: 'array<vec4<u32>, 2>',
    in_strides: 'array<vec4<u32>, 2>',
    out_strides: 'array<vec4<u32>, 2>',
  },
});

/** Copies `shape`-indexed elements from src (strided) to dst (strided). Raw kernel call, no autograd. */
export function stridedCopy(
  src: Tensor,
  srcOffset: number,
  srcStrides: readonly number[],
  dst: Tensor,
  dstOffset: number,
  dstStrides: readonly number[],
  shape: readonly number[],
): void {
  assertRank('stridedCopy', shape);
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  runtime().dispatch(STRIDED_COPY, {
    bindings: { x: src.binding, out: dst.binding },
    uniforms: {
      n,
      rank: shape.length,
      in_offset: srcOffset,
      out_offset: dstOffset,
      shape,
      in_strides: srcStrides,
      out_strides: dstStrides,
    },
    grid: grid1d(n),
  });
}

/** Materialises x broadcast to `shape`. x: broadcastable → shape. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const target = broadcastShapes(x.shape, shape);
  if (target.join() !== shape.join()) throw new Error(`broadcastTo: [${x.shape}] cannot broadcast to [${shape}]`);
  const out = empty(shape, x.dtype);
  stridedCopy(x, 0, broadcastStrides(x.shape, shape), out, 0, contiguousStrides(shape), shape);
  return record('broadcastTo', [x], out, (g) => [sumToShape(g, x.shape)]);
}

/** Reorders axes: out.shape[i] = x.shape[perm[i]]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.rank || [...perm].sort().some((p, i) => p !== i)) {
    throw new Error(`permute: [${perm}] is not a permutation of the ${x.rank} axes of [${x.shape}]`);
  }
  const inStrides = contiguousStrides(x.shape);
  const shape = perm.map((p) => x.shape[p]);
  const out = empty(shape, x.dtype);
  stridedCopy(
    x,
    0,
    perm.map((p) => inStrides[p]),
    out,
    0,
    contiguousStrides(shape),
    shape,
  );
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return record('permute', [x], out, (g) => [permute(g, inverse)]);
}

/** Swaps two axes (a permute). */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const perm = [...x.shape.keys()];
  const ia = a < 0 ? a + x.rank : a;
  const ib = b < 0 ? b + x.rank : b;
  [perm[ia], perm[ib]] = [perm[ib], perm[ia]];
  return permute(x, perm);
}

/** x[..., start:start+length, ...] along `axis` (a copy). */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const ax = axis < 0 ? axis + x.rank : axis;
  if (ax < 0 || ax >= x.rank || start < 0 || length < 0 || start + length > x.shape[ax]) {
    throw new Error(`narrow: [${start}, ${start + length}) is outside axis ${axis} of [${x.shape}]`);
  }
  const strides = contiguousStrides(x.shape);
  const shape = x.shape.map((d, i) => (i === ax ? length : d));
  const out = empty(shape, x.dtype);
  stridedCopy(x, start * strides[ax], strides, out, 0, contiguousStrides(shape), shape);
  return record('narrow', [x], out, (g) => {
    const dx = zeros(x.shape);
    stridedCopy(g, 0, contiguousStrides(shape), dx, start * strides[ax], strides, shape);
    return [dx];
  });
}

/** Joins tensors along `axis` (a copy). xs: shapes equal but on `axis` → [..., Σ sizes on axis, ...]. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('concat: no tensors');
  const first = xs[0];
  const ax = axis < 0 ? axis + first.rank : axis;
  if (ax < 0 || ax >= first.rank) throw new Error(`concat: axis ${axis} is outside [${first.shape}]`);
  for (const x of xs) {
    if (x.rank !== first.rank || x.dtype !== first.dtype || x.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new Error(
        `concat: [${x.shape}] (${x.dtype}) does not match [${first.shape}] (${first.dtype}) outside axis ${ax}`,
      );
    }
  }
  const shape = first.shape.map((d, i) => (i === ax ? xs.reduce((s, x) => s + x.shape[ax], 0) : d));
  const out = empty(shape, first.dtype);
  const outStrides = contiguousStrides(shape);
  const starts: number[] = [];
  let at = 0;
  for (const x of xs) {
    starts.push(at);
    stridedCopy(x, 0, contiguousStrides(x.shape), out, at * outStrides[ax], outStrides, x.shape);
    at += x.shape[ax];
  }
  return record('concat', [...xs], out, (g) =>
    xs.map((x, i) => {
      const dx = empty(x.shape);
      stridedCopy(g, starts[i] * outStrides[ax], outStrides, dx, 0, contiguousStrides(x.shape), x.shape);
      return dx;
    }),
  );
}
