// Elementwise ops with autograd: broadcasting add/sub/mul/div, scalar ops, and unary functions
// (neg, exp, log, sqrt, rsqrt, tanh, relu, gelu, sigmoid, square).
import binaryWgsl from '../../shaders/binary.wgsl';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { Uniforms } from '../runtime/runtime.js';
import type { Tensor } from '../tensor/tensor.js';
import { affineRaw } from './basic.js';
import { assertFloat, assertRank, contiguousStrides, empty, grid1d, grid1dVec4, kernel, sameShape } from './kernel.js';
import { sumToShape } from './reduce.js';
import { GELU_VEC4_WGSL, UNARY_BACKWARD_WGSL, UNARY_WGSL } from './sources.js';

/** NumPy broadcasting of two shapes; a clear error names both when they are incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast [${a.join(', ')}] with [${b.join(', ')}]`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Element strides of `shape` read as `outShape` under broadcasting (0 on broadcast dims). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = contiguousStrides(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, i) => (i < offset || shape[i - offset] === 1 ? 0 : strides[i - offset]));
}

const BINARY_OPS = { add: 0, sub: 1, mul: 2, div: 3, eq: 4 } as const;

/** Whether `shape` without its leading 1s is the last dims of `of` (so it repeats contiguously along `of`). */
function isTrailingBlock(shape: readonly number[], of: readonly number[]): boolean {
  const first = shape.findIndex((d) => d !== 1);
  const dims = first < 0 ? [] : shape.slice(first);
  return dims.length <= of.length && sameShape(dims, of.slice(of.length - dims.length));
}

function binaryRaw(op: keyof typeof BINARY_OPS, a: Tensor, b: Tensor): Tensor {
  assertFloat(op, a, b);
  const shape = broadcastShapes(a.shape, b.shape);
  assertRank(op, shape);
  const out = empty(shape);
  const same = sameShape(a.shape, shape) && sameShape(b.shape, shape) ? 1 : 0;
  // b repeated as a trailing block of a's shape ([T, C] + [B, T, C]-shaped a): vec4s indexed modulo its size.
  const suffix = !same && sameShape(a.shape, shape) && b.size % 4 === 0 && b.size > 0 && isTrailingBlock(b.shape, shape);
  const pad8 = (v: number[]): number[] => [...v, ...Array(8 - v.length).fill(0)];
  const u = new Uniforms()
    .u32(out.size, shape.length, same, suffix ? b.size / 4 : 0)
    .u32(...pad8(shape), ...pad8(broadcastStrides(a.shape, shape)), ...pad8(broadcastStrides(b.shape, shape)));
  const entry = out.size % 4 !== 0 ? undefined : same ? 'same4' : suffix ? 'suffix4' : undefined;
  runtime().dispatch(kernel('binary', binaryWgsl, { OP: BINARY_OPS[op] }, entry), [a.binding, b.binding, out.binding], u.buffer,
    entry ? grid1dVec4(out.size / 4) : grid1d(out.size));
  return out;
}

/** a + b with broadcasting. */
export function add(a: Tensor, b: Tensor): Tensor {
  const out = binaryRaw('add', a, b);
  return record('add', [a, b], out, (g) => [sumToShape(g, a.shape), sumToShape(g, b.shape)]);
}

/** a − b with broadcasting. */
export function sub(a: Tensor, b: Tensor): Tensor {
  const out = binaryRaw('sub', a, b);
  return record('sub', [a, b], out, (g) => {
    const ng = affineRaw(g, -1, 0);
    const gb = sumToShape(ng, b.shape);
    if (gb !== ng) ng.dispose();
    return [sumToShape(g, a.shape), gb];
  });
}

/** a ⊙ b with broadcasting. */
export function mul(a: Tensor, b: Tensor): Tensor {
  const out = binaryRaw('mul', a, b);
  return record('mul', [a, b], out, (g) => [
    a.requiresGrad ? reduceOwned(binaryRaw('mul', g, b), a.shape) : null,
    b.requiresGrad ? reduceOwned(binaryRaw('mul', g, a), b.shape) : null,
  ]);
}

/** a / b with broadcasting. */
export function div(a: Tensor, b: Tensor): Tensor {
  const out = binaryRaw('div', a, b);
  return record('div', [a, b], out, (g) => {
    const ga = a.requiresGrad ? reduceOwned(binaryRaw('div', g, b), a.shape) : null;
    let gb: Tensor | null = null;
    if (b.requiresGrad) {
      // d(a/b)/db = −(a/b)/b
      const t = binaryRaw('mul', g, out);
      const t2 = binaryRaw('div', t, b);
      t.dispose();
      const neg = affineRaw(t2, -1, 0);
      t2.dispose();
      gb = reduceOwned(neg, b.shape);
    }
    return [ga, gb];
  });
}

/** 1.0 where a == b, else 0.0 (no gradient). */
export function eq(a: Tensor, b: Tensor): Tensor {
  return binaryRaw('eq', a, b);
}

/** Sums `t` down to `shape` and disposes `t` when a new tensor was made. */
function reduceOwned(t: Tensor, shape: readonly number[]): Tensor {
  const r = sumToShape(t, shape);
  t.dispose();
  return r;
}

/** x·s + c elementwise. */
export function affine(x: Tensor, s: number, c: number): Tensor {
  assertFloat('affine', x);
  const out = affineRaw(x, s, c);
  return record('affine', [x], out, (g) => [affineRaw(g, s, 0)]);
}
export const mulScalar = (x: Tensor, s: number): Tensor => affine(x, s, 0);
export const addScalar = (x: Tensor, c: number): Tensor => affine(x, 1, c);

const UNARY = { neg: 0, exp: 1, log: 2, sqrt: 3, rsqrt: 4, tanh: 5, relu: 6, gelu: 7, sigmoid: 10, square: 11 } as const;
type UnaryName = keyof typeof UNARY;
/** Whether each backward needs the op's input (x) or its output (y). */
const SAVES_OUTPUT: Record<UnaryName, boolean> = {
  neg: false, exp: true, log: false, sqrt: true, rsqrt: true, tanh: true, relu: false, gelu: false, sigmoid: true, square: false,
};

/** GELU over vec4s when the size allows (same math, 4× fewer memory instructions). */
function geluVec4(x: Tensor): Tensor {
  const y = empty(x.shape);
  const n4 = x.size / 4;
  const u = new Uniforms().u32(n4);
  runtime().dispatch(kernel('gelu_vec4', GELU_VEC4_WGSL, undefined, 'forward'), [x.binding, null, y.binding], u.buffer, grid1dVec4(n4));
  return record('gelu', [x], y, (g) => [geluBackward(x, g)]);
}

/** GELU's backward, no autograd: dy ⊙ gelu'(x). x, dy: same shape → same shape. */
export function geluBackward(x: Tensor, dy: Tensor): Tensor {
  const dx = empty(x.shape);
  if (x.size % 4 === 0) {
    const n4 = x.size / 4;
    runtime().dispatch(kernel('gelu_vec4', GELU_VEC4_WGSL, undefined, 'backward'), [x.binding, dy.binding, dx.binding], new Uniforms().u32(n4).buffer, grid1dVec4(n4));
  } else {
    runtime().dispatch(kernel('unary_backward', UNARY_BACKWARD_WGSL, { OP: UNARY.gelu }), [dy.binding, x.binding, dx.binding], new Uniforms().u32(x.size).buffer, grid1d(x.size));
  }
  return dx;
}

function unary(name: UnaryName, x: Tensor): Tensor {
  assertFloat(name, x);
  if (name === 'gelu' && x.size % 4 === 0 && x.size > 0) return geluVec4(x);
  const y = empty(x.shape);
  const u = new Uniforms().u32(x.size).f32(0, 0);
  runtime().dispatch(kernel('unary', UNARY_WGSL, { OP: UNARY[name] }), [x.binding, y.binding], u.buffer, grid1d(x.size));
  return record(name, [x], y, (g) => {
    if (name === 'neg') return [affineRaw(g, -1, 0)];
    const saved = SAVES_OUTPUT[name] ? y : x;
    const dx = empty(x.shape);
    const ub = new Uniforms().u32(x.size);
    runtime().dispatch(kernel('unary_backward', UNARY_BACKWARD_WGSL, { OP: UNARY[name] }), [g.binding, saved.binding, dx.binding], ub.buffer, grid1d(x.size));
    return [dx];
  });
}

export const neg = (x: Tensor): Tensor => unary('neg', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const rsqrt = (x: Tensor): Tensor => unary('rsqrt', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
export const relu = (x: Tensor): Tensor => unary('relu', x);
/** GELU, exact erf form (torch's default `nn.functional.gelu`). */
export const gelu = (x: Tensor): Tensor => unary('gelu', x);
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
export const square = (x: Tensor): Tensor => unary('square', x);
