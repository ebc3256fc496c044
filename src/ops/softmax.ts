// Softmax and log-softmax over the last axis, with an optional key padding mask and a fused score scale.
import softmaxWgsl from '../../shaders/softmax.wgsl';
import softmaxBackwardWgsl from '../../shaders/softmax_backward.wgsl';
import softmaxSubgroupWgsl from '../../shaders/softmax_subgroup.wgsl';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { Uniforms } from '../runtime/runtime.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertFloat, dummyBinding, empty, gridRows, kernel } from './kernel.js';

/** Row vec4s per lane the subgroup kernels keep in registers at most (MAX_HELD in softmax_subgroup.wgsl). */
const MAX_HELD = 16;
/**
 * Held rows per workgroup. On a software adapter every workgroup has a fixed cost that more rows amortise; lavapipe,
 * bench rows softmax / softmax backward [192,128,128] masked, % of a plain copy in paired rounds, two runs each:
 * 4 rows 84-87 / 105, 8 rows 124 / 125, 16 rows 111-123 / 159-178, 32 rows 114-130 / 129-132. A GPU wants the
 * workgroups instead (4).
 */
const HELD_ROWS = { software: 16, gpu: 4 };

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
  const sg = subgroupRowSize(cols);
  const maskBinding = mask ? mask.binding : dummyBinding();
  // Rows of at most MAX_HELD vec4s per lane are held in registers, several rows per workgroup (one mask-row load).
  const { held, rowsPerGroup } = heldRows(cols, sg, MAX_HELD, runtime().info.isSoftware ? HELD_ROWS.software : HELD_ROWS.gpu);
  if (sg) {
    // One row per subgroup-sized workgroup, vec4 loads, subgroup reductions (same semantics as the generic kernel).
    const u = new Uniforms().u32(rows, cols / 4, rowsPerMask, mask ? 1 : 0).f32(scale);
    const k = kernel('softmax_subgroup', softmaxSubgroupWgsl, { LOG: log ? 1 : 0, WG: sg, HELD: held, ROWS: rowsPerGroup }, 'forward');
    runtime().dispatch(k, [x.binding, maskBinding, y.binding, null, null], u.buffer, gridRows(Math.ceil(rows / rowsPerGroup)));
  } else {
    const u = new Uniforms().u32(rows, cols, rowsPerMask, mask ? 1 : 0).f32(scale);
    runtime().dispatch(kernel('softmax', softmaxWgsl, { LOG: log ? 1 : 0 }), [x.binding, maskBinding, y.binding], u.buffer, gridRows(rows));
  }
  return record(log ? 'logSoftmax' : 'softmax', [x], y, (g) => {
    const dx = empty(x.shape);
    if (sg) {
      const ub = new Uniforms().u32(rows, cols / 4, rowsPerMask, mask ? 1 : 0).f32(scale);
      const k = kernel('softmax_subgroup', softmaxSubgroupWgsl, { LOG: log ? 1 : 0, WG: sg, HELD: held, ROWS: rowsPerGroup }, 'backward');
      runtime().dispatch(k, [null, maskBinding, y.binding, g.binding, dx.binding], ub.buffer, gridRows(Math.ceil(rows / rowsPerGroup)));
      return [dx];
    }
    const ub = new Uniforms().u32(rows, cols).f32(scale).u32(rowsPerMask, mask ? 1 : 0);
    runtime().dispatch(
      kernel('softmax_backward', softmaxBackwardWgsl, { LOG: log ? 1 : 0 }),
      [y.binding, g.binding, dx.binding, mask ? mask.binding : dummyBinding()], ub.buffer, gridRows(rows),
    );
    return [dx];
  });
}

/**
 * The subgroup size to use for one-row-per-subgroup kernels over rows of `cols`, or 0 for the generic kernels:
 * needs the subgroups feature, a fixed subgroup size (min = max, so a workgroup of that size is one subgroup) and
 * cols % 4 == 0 (vec4 rows).
 */
export function subgroupRowSize(cols: number): number {
  const rt = runtime();
  if (!rt.features.has('subgroups') || cols % 4 !== 0 || cols === 0) return 0;
  const info = (rt.device as unknown as { adapterInfo?: { subgroupMinSize?: number; subgroupMaxSize?: number } }).adapterInfo;
  const min = info?.subgroupMinSize ?? 0;
  return min >= 4 && min === info?.subgroupMaxSize && min <= 128 ? min : 0;
}

/**
 * How the one-row-per-subgroup softmax kernels (workgroup = one subgroup of `sg` lanes) hold rows of `cols`: `held`
 * vec4s per lane in registers (0: too long, stream the row instead) and `rowsPerGroup` rows per workgroup, so what
 * every row shares (the mask row) is loaded once per workgroup. Matches HELD / ROWS in softmax_subgroup.wgsl.
 */
function heldRows(cols: number, sg: number, maxHeld: number, rowsPerGroup = 4): { held: number; rowsPerGroup: number } {
  const perLane = sg ? Math.ceil(cols / 4 / sg) : 0;
  return perLane > 0 && perLane <= maxHeld ? { held: perLane, rowsPerGroup } : { held: 0, rowsPerGroup: 1 };
}

/** softmax(scale·x) over the last axis. x: [..., cols] → same shape. */
export function softmax(x: Tensor, options: SoftmaxOptions = {}): Tensor {
  return softmaxImpl(x, false, options);
}

/** log softmax(scale·x) over the last axis. x: [..., cols] → same shape. */
export function logSoftmax(x: Tensor, options: SoftmaxOptions = {}): Tensor {
  return softmaxImpl(x, true, options);
}
