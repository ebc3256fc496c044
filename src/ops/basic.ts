// Tensor creation (zeros, ones, from host arrays, seeded random), copies and in-place accumulation.
import fillWgsl from '../../shaders/fill.wgsl';
import inplaceWgsl from '../../shaders/inplace.wgsl';
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import { mulberry32 } from '../util/random.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import { assertFloat, empty, grid1d, sameShape } from './kernel.js';
import { UNARY, UNARY_OP } from './sources.js';

/** out[i] = value (its 32 bits, any dtype), 1-D over n. */
const FILL = defineKernel({
  name: 'fill',
  source: fillWgsl,
  bindings: { out: 'read_write' },
  uniforms: { n: 'u32', value: 'u32' },
});

/** The in-place updates of inplace.wgsl (its OP override): y += alpha·x, or y *= x[0] (a scale read on the GPU). */
export const INPLACE_OP = { addScaled: 0, scaleByFirst: 1 } as const;
const INPLACE = defineKernel({
  name: 'inplace',
  source: inplaceWgsl,
  bindings: { x: 'read', y: 'read_write' },
  uniforms: { n: 'u32', alpha: 'f32' },
  constants: (p: { op: (typeof INPLACE_OP)[keyof typeof INPLACE_OP] }) => ({ OP: p.op }),
});

/** Nested number arrays (any depth) or a typed array. */
export type NestedArray = number | NestedArray[];

/** shape: any; every element = value. */
export function full(shape: readonly number[], value: number, dtype: DType = 'f32'): Tensor {
  if (dtype === 'f16') throw new Error("full: dtype 'f16' is made with cast(full(shape, value), 'f16')");
  const t = empty(shape, dtype);
  const bits = new DataView(new ArrayBuffer(4));
  if (dtype === 'f32') bits.setFloat32(0, value, true);
  else bits.setInt32(0, value, true);
  const pattern = bits.getUint32(0, true);
  // All-zero bits (0, and 0 as i32) is a memset; -0.0 and every other value need the kernel.
  if (pattern === 0) {
    runtime().clear(t.binding.buffer, t.binding.size);
    return t;
  }
  const uniforms = { n: t.size, value: pattern };
  runtime().dispatch(FILL, { bindings: { out: t.binding }, uniforms, grid: grid1d(t.size) });
  return t;
}

export const zeros = (shape: readonly number[], dtype: DType = 'f32'): Tensor => full(shape, 0, dtype);
export const ones = (shape: readonly number[], dtype: DType = 'f32'): Tensor => full(shape, 1, dtype);
export const zerosLike = (t: Tensor): Tensor => full(t.shape, 0, t.dtype);
export const onesLike = (t: Tensor): Tensor => full(t.shape, 1, t.dtype);

/** A tensor from host data: a typed array with a shape, or nested arrays whose nesting gives the shape. */
export function tensor(
  data: NestedArray | Float32Array | Int32Array | number[],
  shape?: readonly number[],
  dtype?: DType,
): Tensor {
  if (dtype === 'f16') throw new Error("tensor(): dtype 'f16' is made with cast(tensor(data), 'f16')");
  if (!Array.isArray(data) && !(data instanceof Float32Array) && !(data instanceof Int32Array)) {
    throw new TypeError(
      `tensor(): data must be a Float32Array, an Int32Array or a (nested) array of numbers, got ${data === null ? 'null' : typeof data}`,
    );
  }
  let flat: Float32Array | Int32Array;
  let dims: number[];
  if (data instanceof Float32Array || data instanceof Int32Array) {
    flat = data;
    dims = shape ? [...shape] : [data.length];
    dtype ??= data instanceof Int32Array ? 'i32' : 'f32';
  } else {
    dims = shape ? [...shape] : inferShape(data);
    const values = flatten(data, dims);
    dtype ??= 'f32';
    flat = dtype === 'i32' ? Int32Array.from(values) : Float32Array.from(values);
  }
  if (dtype === 'i32' && flat instanceof Float32Array) flat = Int32Array.from(flat);
  if (dtype === 'f32' && flat instanceof Int32Array) flat = Float32Array.from(flat);
  const n = dims.reduce((a, b) => a * b, 1);
  if (n !== flat.length) throw new Error(`tensor(): ${flat.length} values do not fill shape [${dims.join(', ')}]`);
  const t = empty(dims, dtype);
  if (n > 0) runtime().upload(t.buffer, flat);
  return t;
}

function inferShape(data: NestedArray): number[] {
  const dims: number[] = [];
  let d: NestedArray = data;
  while (Array.isArray(d)) {
    dims.push(d.length);
    d = d[0];
  }
  return dims;
}

function flatten(data: NestedArray, dims: number[]): number[] {
  const out: number[] = [];
  const walk = (d: NestedArray, depth: number): void => {
    if (depth === dims.length) {
      if (typeof d !== 'number') throw new Error('tensor(): ragged nested array');
      out.push(d);
      return;
    }
    if (!Array.isArray(d) || d.length !== dims[depth])
      throw new Error(`tensor(): ragged nested array at depth ${depth}`);
    for (const x of d) walk(x, depth + 1);
  };
  walk(data, 0);
  return out;
}

/** A seeded PRNG (mulberry32): the same seed gives the same tensors in Node and browsers. */
export const seededRandom = mulberry32;

/** shape: any; values ~ U[low, high) from `seed`. */
export function randUniform(shape: readonly number[], seed: number, low = 0, high = 1): Tensor {
  const rand = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = low + (high - low) * rand();
  return tensor(data, shape);
}

/** shape: any; values ~ N(mean, std²) from `seed` (Box–Muller). */
export function randNormal(shape: readonly number[], seed: number, mean = 0, std = 1): Tensor {
  return tensor(
    normalArray(
      shape.reduce((a, b) => a * b, 1),
      seed,
      mean,
      std,
    ),
    shape,
  );
}

export function normalArray(n: number, seed: number, mean = 0, std = 1): Float32Array {
  const rand = seededRandom(seed);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = Math.max(rand(), 1e-12);
    const u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1));
    data[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) data[i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
  }
  return data;
}

/** A copy with its own storage (no autograd). x: any → same shape. */
export function clone(x: Tensor): Tensor {
  const y = empty(x.shape, x.dtype);
  if (x.size > 0) runtime().copy(x.buffer, y.buffer, x.binding.size);
  return y;
}

/** dst += alpha · src, in place (gradient accumulation). Shapes must hold the same number of elements. */
export function addInto(dst: Tensor, src: Tensor, alpha = 1): void {
  if (dst.size !== src.size) throw new Error(`addInto: [${dst.shape}] and [${src.shape}] differ in size`);
  assertFloat('addInto', dst, src);
  runtime().dispatch(INPLACE, {
    params: { op: INPLACE_OP.addScaled },
    bindings: { x: src.binding, y: dst.binding },
    uniforms: { n: dst.size, alpha },
    grid: grid1d(dst.size),
  });
}

/** dst *= scale[0], in place, the scale read on the GPU (gradient clipping). */
export function scaleInto(dst: Tensor, scale: Tensor): void {
  assertFloat('scaleInto', dst, scale);
  runtime().dispatch(INPLACE, {
    params: { op: INPLACE_OP.scaleByFirst },
    bindings: { x: scale.binding, y: dst.binding },
    uniforms: { n: dst.size, alpha: 0 },
    grid: grid1d(dst.size),
  });
}

/** Overwrites dst with src's values (same element count). */
export function assign(dst: Tensor, src: Tensor): void {
  if (!sameShape([dst.size], [src.size])) throw new Error(`assign: [${dst.shape}] and [${src.shape}] differ in size`);
  if (dst.dtype !== src.dtype) throw new Error(`assign: dtypes differ (${dst.dtype} ← ${src.dtype}); cast first`);
  runtime().copy(src.buffer, dst.buffer, src.binding.size);
}

/** y = a·x + b elementwise, without autograd (used by backwards and optimizers). */
export function affineRaw(x: Tensor, a: number, b: number): Tensor {
  const y = empty(x.shape);
  runtime().dispatch(UNARY, {
    params: { op: UNARY_OP.affine },
    bindings: { x: x.binding, y: y.binding },
    uniforms: { n: x.size, a, b },
    grid: grid1d(x.size),
  });
  return y;
}
