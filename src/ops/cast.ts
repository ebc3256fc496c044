// dtype conversion between float32 and float16 storage (f16 tensors feed the f16 matmul: ops/matmul.ts).
import castWgsl from '../../shaders/cast.wgsl';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import type { Tensor } from '../tensor/tensor.js';
import { empty, grid1d } from './kernel.js';

/** f32 → f16 (x → y, two halves per u32 word) and f16 → f32 (xh → yf), an invocation per word, n elements. */
const CAST = defineKernel({
  name: 'cast',
  source: castWgsl,
  bindings: { x: 'read', y: 'read_write', xh: 'read', yf: 'read_write' },
  uniforms: { n: 'u32' },
  entryPoints: { to_f16: ['x', 'y'], to_f32: ['xh', 'yf'] },
});

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
  const grid = grid1d(Math.ceil(x.size / 2));
  const uniforms = { n: x.size };
  if (dtype === 'f16')
    runtime().dispatch(CAST, { entry: 'to_f16', bindings: { x: x.binding, y: y.binding }, uniforms, grid });
  else runtime().dispatch(CAST, { entry: 'to_f32', bindings: { xh: x.binding, yf: y.binding }, uniforms, grid });
  // A view of the incoming gradient: backward() wants a fresh tensor, not the one it passed in.
  return record(`cast_${dtype}`, [x], y, (g) => [g.reshape(g.shape)]);
}
