// dtype conversion between float32 and float16 storage (f16 tensors feed the f16 matmul: ops/matmul.ts).
import castWgsl from '../../shaders/cast.wgsl';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { Uniforms } from '../runtime/runtime.js';
import type { Tensor } from '../tensor/tensor.js';
import { empty, grid1d, kernel } from './kernel.js';

/**
 * x: [...] f32 or f16 → the same shape in `dtype` (f32 → f16 rounds to a neighbouring half). Differentiable: the
 * gradient passes through unchanged and stays float32 (gradients of f16 tensors are f32, so none underflow).
 */
export function cast(x: Tensor, dtype: 'f32' | 'f16'): Tensor {
  x.assertAlive();
  if ((x.dtype !== 'f32' && x.dtype !== 'f16') || (dtype !== 'f32' && dtype !== 'f16')) {
    throw new Error(`cast: converts between 'f32' and 'f16', got ${x.dtype} [${x.shape}] → '${String(dtype)}'`);
  }
  if (x.dtype === dtype) return x;
  const y = empty(x.shape, dtype);
  const u = new Uniforms().u32(x.size).buffer;
  const toHalf = dtype === 'f16';
  const bindings = toHalf ? [x.binding, y.binding, null, null] : [null, null, x.binding, y.binding];
  if (x.size > 0) runtime().dispatch(kernel('cast', castWgsl, undefined, toHalf ? 'to_f16' : 'to_f32'), bindings, u, grid1d(Math.ceil(x.size / 2)));
  // A view of the incoming gradient: backward() wants a fresh tensor, not the one it passed in.
  return record(`cast_${dtype}`, [x], y, (g) => [g.reshape(g.shape)]);
}
