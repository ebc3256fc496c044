// Softmax and log-softmax over the last axis, with an optional key padding mask and a fused score scale.
import softmaxWgsl from '../../shaders/softmax.wgsl';
import softmaxBackwardWgsl from '../../shaders/softmax_backward.wgsl';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { Uniforms } from '../runtime/runtime.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertFloat, dummyBinding, empty, gridRows, kernel } from './kernel.js';

export interface SoftmaxOptions {
  /**
   * Key mask, int32 [B, cols] (1 keep, 0 masked) for x: [B, ..., cols]: masked scores become float32's minimum
   * (Hugging Face's masked_fill), so an all-masked row is uniform, never NaN.
   */
  mask?: Tensor;
  /** Scores are scale·x (fused). */
  scale?: number;
}

function softmaxImpl(x: Tensor, log: boolean, options: SoftmaxOptions): Tensor {
  assertFloat(log ? 'logSoftmax' : 'softmax', x);
  const cols = x.shape[x.rank - 1];
  const rows = x.size / cols;
  const { mask, scale = 1 } = options;
  let rowsPerMask = 1;
  if (mask) {
    if (mask.dtype !== 'i32' || mask.rank !== 2 || mask.shape[1] !== cols || x.shape[0] !== mask.shape[0]) {
      throw new Error(`softmax: mask must be int32 [${x.shape[0]}, ${cols}], got ${mask.dtype} [${mask.shape}]`);
    }
    rowsPerMask = rows / mask.shape[0];
  }
  const y = empty(x.shape);
  const u = new Uniforms().u32(rows, cols, rowsPerMask, mask ? 1 : 0).f32(scale);
  runtime().dispatch(kernel('softmax', softmaxWgsl, { LOG: log ? 1 : 0 }), [x.binding, mask ? mask.binding : dummyBinding(), y.binding], u.buffer, gridRows(rows));
  return record(log ? 'logSoftmax' : 'softmax', [x], y, (g) => {
    const dx = empty(x.shape);
    const ub = new Uniforms().u32(rows, cols).f32(scale).u32(rowsPerMask, mask ? 1 : 0);
    runtime().dispatch(
      kernel('softmax_backward', softmaxBackwardWgsl, { LOG: log ? 1 : 0 }),
      [y.binding, g.binding, dx.binding, mask ? mask.binding : dummyBinding()], ub.buffer, gridRows(rows),
    );
    return [dx];
  });
}

/** softmax(scale·x) over the last axis. x: [..., cols] → same shape. */
export function softmax(x: Tensor, options: SoftmaxOptions = {}): Tensor {
  return softmaxImpl(x, false, options);
}

/** log softmax(scale·x) over the last axis. x: [..., cols] → same shape. */
export function logSoftmax(x: Tensor, options: SoftmaxOptions = {}): Tensor {
  return softmaxImpl(x, true, options);
}
