// Softmax and log-softmax over the last axis, with an optional key padding mask and a fused score scale.
import softmaxWgsl from '../../shaders/softmax.wgsl';
import softmaxBackwardWgsl from '../../shaders/softmax_backward.wgsl';
import softmaxSubgroupWgsl from '../../shaders/softmax_subgroup.wgsl';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import { settings } from '../runtime/settings.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertFloat, empty, gridRows } from './kernel.js';

/** Row vec4s per lane the subgroup kernels keep in registers at most (MAX_HELD in softmax_subgroup.wgsl). */
const MAX_HELD = 16;

type Log = { log: boolean };
const SOFTMAX_UNIFORMS = { rows: 'u32', cols: 'u32', rows_per_mask: 'u32', has_mask: 'u32', scale: 'f32' } as const;

/** (log-)softmax of scale·x over rows of cols, masked keys at float32's minimum; a workgroup of 64 per row. */
const SOFTMAX = defineKernel({
  name: 'softmax',
  source: softmaxWgsl,
  bindings: { x: 'read', mask: { access: 'read', optional: true }, y: 'read_write' },
  uniforms: SOFTMAX_UNIFORMS,
  constants: (p: Log) => ({ LOG: p.log ? 1 : 0 }),
});

/** dx from y and dy (log: dy − exp(y)·Σdy; else y ⊙ (dy − Σ y·dy)), scaled; a workgroup of 64 per row. */
const SOFTMAX_BACKWARD = defineKernel({
  name: 'softmax_backward',
  source: softmaxBackwardWgsl,
  bindings: { y: 'read', dy: 'read', dx: 'read_write', mask: { access: 'read', optional: true } },
  uniforms: { rows: 'u32', cols: 'u32', scale: 'f32', rows_per_mask: 'u32', has_mask: 'u32' },
  constants: (p: Log) => ({ LOG: p.log ? 1 : 0 }),
});

/** Forward and backward with one subgroup per row (vec4 rows, `held` vec4s per lane in registers, `rows` per group). */
const SOFTMAX_SUBGROUP = defineKernel({
  name: 'softmax_subgroup',
  source: softmaxSubgroupWgsl,
  bindings: { x: 'read', mask: { access: 'read', optional: true }, y: 'read_write', dy: 'read', dx: 'read_write' },
  uniforms: { rows: 'u32', cols4: 'u32', rows_per_mask: 'u32', has_mask: 'u32', scale: 'f32' },
  entryPoints: { forward: ['x', 'mask', 'y'], backward: ['mask', 'y', 'dy', 'dx'] },
  constants: (p: Log & { lanes: number; held: number; rows: number }) => ({
    LOG: p.log ? 1 : 0,
    WG: p.lanes,
    HELD: p.held,
    ROWS: p.rows,
  }),
});

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
  const maskBinding = mask?.binding;
  const hasMask = mask ? 1 : 0;
  // Rows of at most MAX_HELD vec4s per lane are held in registers, several rows per workgroup (one mask-row load).
  const { held, rowsPerGroup } = heldRows(cols, sg, MAX_HELD, settings().softmaxRows);
  const subgroup = { log, lanes: sg, held, rows: rowsPerGroup };
  const rowGroups = gridRows(Math.ceil(rows / rowsPerGroup));
  if (sg) {
    // One row per subgroup-sized workgroup, vec4 loads, subgroup reductions (same semantics as the generic kernel).
    runtime().dispatch(SOFTMAX_SUBGROUP, {
      params: subgroup,
      entry: 'forward',
      bindings: { x: x.binding, mask: maskBinding, y: y.binding },
      uniforms: { rows, cols4: cols / 4, rows_per_mask: rowsPerMask, has_mask: hasMask, scale },
      grid: rowGroups,
    });
  } else {
    runtime().dispatch(SOFTMAX, {
      params: { log },
      bindings: { x: x.binding, mask: maskBinding, y: y.binding },
      uniforms: { rows, cols, rows_per_mask: rowsPerMask, has_mask: hasMask, scale },
      grid: gridRows(rows),
    });
  }
  return record(log ? 'logSoftmax' : 'softmax', [x], y, (g) => {
    const dx = empty(x.shape);
    if (sg) {
      runtime().dispatch(SOFTMAX_SUBGROUP, {
        params: subgroup,
        entry: 'backward',
        bindings: { mask: maskBinding, y: y.binding, dy: g.binding, dx: dx.binding },
        uniforms: { rows, cols4: cols / 4, rows_per_mask: rowsPerMask, has_mask: hasMask, scale },
        grid: rowGroups,
      });
      return [dx];
    }
    runtime().dispatch(SOFTMAX_BACKWARD, {
      params: { log },
      bindings: { y: y.binding, dy: g.binding, dx: dx.binding, mask: maskBinding },
      uniforms: { rows, cols, scale, rows_per_mask: rowsPerMask, has_mask: hasMask },
      grid: gridRows(rows),
    });
    return [dx];
  });
}

/**
 * The subgroup size to use for one-row-per-subgroup kernels over rows of `cols`, or 0 for the generic kernels:
 * needs the subgroups feature, a fixed subgroup size (min = max, so a workgroup of that size is one subgroup) and
 * cols % 4 == 0 (vec4 rows).
 */
export function subgroupRowSize(cols: number): number {
  const { subgroupMinSize: min, subgroupMaxSize: max } = runtime().profile;
  if (cols % 4 !== 0 || cols === 0) return 0;
  return min >= 4 && min === max && min <= 128 ? min : 0;
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
