// LayerNorm over the last axis, fused forward and backward (torch semantics: biased variance, eps inside sqrt).
import layernormWgsl from '../../shaders/layernorm.wgsl';
import layernormBackwardWgsl from '../../shaders/layernorm_backward.wgsl';
import layernormSubgroupWgsl from '../../shaders/layernorm_subgroup.wgsl';
import layernormParamGradWgsl from '../../shaders/layernorm_param_grad.wgsl';
import layernormBackwardWideWgsl from '../../shaders/layernorm_backward_wide.wgsl';
import { columnChunks, columnSums } from './reduce.js';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { Uniforms } from '../runtime/runtime.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertFloat, empty, grid1d, gridRows, kernel } from './kernel.js';
import { heldRows, subgroupRowSize } from './softmax.js';

/** Row vec4s per lane the subgroup kernels keep in registers at most (MAX_HELD in layernorm_subgroup.wgsl). */
const MAX_HELD = 32;
/**
 * Held rows per workgroup: gamma and beta (gamma alone in the input gradient) are loaded once per group, so more
 * rows share that load. Measured on lavapipe at [2048, 768] and [2048, 3072]: 8 rows beat 4 (forward 8.5-10.7 →
 * 5.8-6.2 ms at 768) and 16 (more spilling).
 */
const ROWS_PER_GROUP = 8;
/**
 * Rows per workgroup of the one-pass backward of streamed rows: its dgamma/dbeta partials are 1/STREAMED_ROWS of x.
 * Measured on lavapipe at [2048, 3072], alternating runs: 41-54 ms against 49-66 ms for the two passes.
 */
const STREAMED_ROWS = 8;

/**
 * The wide one-pass backward (layernorm_backward_wide.wgsl): vec4s per lane held at most (MAX_HELD there), and lanes
 * per workgroup at most. Measured on lavapipe at [2048, 768], one run: 16 lanes × 12 vec4s 9.3-9.5 ms, 32 × 6
 * 10.3-10.6, 64 × 3 13.0, one subgroup of 8 × 24 15.0 (the spilling the wide kernel avoids), against 13.4-17.0 for
 * the held input gradient plus the parameter pass.
 */
const WIDE_MAX_HELD = 12;
const WIDE_MAX_LANES = 64;
/**
 * Rows per workgroup of the wide backward: each workgroup loads gamma and writes its dgamma/dbeta partial rows once,
 * so more rows amortise that (lavapipe, [2048, 768]: 8 rows 14.5 ms, 16 11.9, 32 10.2). A GPU wants more
 * workgroups than 2048 / 32 instead.
 */
const WIDE_ROWS = { software: 32, gpu: 4 };

/** Lanes, held vec4s per lane and rows per workgroup of the wide backward for rows of `cols`, or null without it. */
function wideBackwardShape(cols: number, sg: number): { WG: number; HELD: number; ROWS: number } | null {
  const info = runtime().info;
  if (!sg || !info.wgslFeatures.includes('subgroup_id')) return null;
  for (let lanes = sg; lanes <= WIDE_MAX_LANES; lanes *= 2) {
    const held = Math.ceil(cols / 4 / lanes);
    if (held <= WIDE_MAX_HELD) return { WG: lanes, HELD: held, ROWS: info.isSoftware ? WIDE_ROWS.software : WIDE_ROWS.gpu };
  }
  return null;
}

/** x: [..., C], gamma/beta: [C] → [..., C]. */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  assertFloat('layerNorm', x, gamma, beta);
  const cols = x.shape[x.rank - 1];
  if (gamma.size !== cols || beta.size !== cols) {
    throw new Error(`layerNorm: weight [${gamma.shape}] and bias [${beta.shape}] must have ${cols} elements for input [${x.shape}]`);
  }
  const rows = x.size / cols;
  const y = empty(x.shape);
  const stats = empty([rows, 2]);
  // One row per subgroup-sized workgroup with vec4 loads where the adapter allows; else one workgroup of 64 per row.
  const sg = subgroupRowSize(cols);
  // Rows of at most MAX_HELD vec4s per lane are held in registers, several per workgroup (gamma, beta loaded once).
  const { held, rowsPerGroup } = heldRows(cols, sg, MAX_HELD, ROWS_PER_GROUP);
  // Streamed rows (held = 0) take one row per workgroup in the forward (ROWS = 1).
  const constants = { WG: sg, HELD: held, ROWS: rowsPerGroup };
  const groups = gridRows(Math.ceil(rows / rowsPerGroup));
  if (sg) {
    const u = new Uniforms().u32(rows, cols / 4).f32(eps);
    runtime().dispatch(
      kernel('layernorm_subgroup', layernormSubgroupWgsl, constants, 'forward'),
      [x.binding, gamma.binding, beta.binding, y.binding, stats.binding, null, null, null, null], u.buffer, groups,
    );
  } else {
    const u = new Uniforms().u32(rows, cols).f32(eps);
    runtime().dispatch(kernel('layernorm', layernormWgsl), [x.binding, gamma.binding, beta.binding, y.binding, stats.binding], u.buffer, gridRows(rows));
  }
  const out = record('layerNorm', [x, gamma, beta], y, (g) => {
    const ub = new Uniforms().u32(rows, cols);
    const paramGrads = gamma.requiresGrad || beta.requiresGrad;
    const dx = x.requiresGrad ? empty(x.shape) : null;
    // With the subgroup_id language feature, rows up to WIDE_MAX_LANES × WIDE_MAX_HELD vec4s: the wide kernel, one
    // pass for all three gradients. Else streamed subgroup rows: one pass too; held rows: the input gradient, then
    // the parameter pass below (each measured faster than its alternative on lavapipe: bench/README.md).
    const wide = dx ? wideBackwardShape(cols, sg) : null;
    if (dx && wide) return wideBackward(x, gamma, g, stats, dx, wide, rows, cols, paramGrads);
    if (dx && sg && held === 0 && paramGrads) return streamedBackward(x, gamma, g, stats, dx, constants, rows, cols);
    if (dx && sg) {
      // The partial slots are statically bound: two distinct 4-value stand-ins (one buffer in two writable slots is a
      // WebGPU aliasing error).
      const [s1, s2] = [empty([4]), empty([4])];
      runtime().dispatch(
        kernel('layernorm_subgroup', layernormSubgroupWgsl, { ...constants, PARAMS: 0 }, 'input_grad'),
        [x.binding, gamma.binding, null, null, stats.binding, g.binding, dx.binding, s1.binding, s2.binding],
        new Uniforms().u32(rows, cols / 4).f32(0).buffer, groups,
      );
      s1.dispose();
      s2.dispose();
    } else if (dx) {
      runtime().dispatch(
        kernel('layernorm_backward', layernormBackwardWgsl, undefined, 'input_grad'),
        [x.binding, gamma.binding, g.binding, stats.binding, dx.binding, null, null], ub.buffer, gridRows(rows),
      );
    }
    if (!paramGrads) return [dx, null, null];
    const dgamma = empty(gamma.shape);
    const dbeta = empty(beta.shape);
    if (cols % 4 === 0) {
      // Two stages, deterministic: vec4 column partials over row chunks, then their sums in chunk order.
      const cols4 = cols / 4;
      const { chunk, chunks } = columnChunks(rows, cols4);
      const pg = empty([chunks, cols]);
      const pb = empty([chunks, cols]);
      runtime().dispatch(
        kernel('layernorm_param_grad', layernormParamGradWgsl, undefined, 'param_partial'),
        [x.binding, g.binding, stats.binding, pg.binding, pb.binding], new Uniforms().u32(rows, cols4, chunk, chunks).buffer,
        [Math.ceil(cols4 / 64), chunks],
      );
      columnSums(pg, chunks, cols, dgamma);
      columnSums(pb, chunks, cols, dbeta);
      pg.dispose();
      pb.dispose();
    } else {
      runtime().dispatch(
        kernel('layernorm_backward', layernormBackwardWgsl, undefined, 'param_grad'),
        [x.binding, null, g.binding, stats.binding, null, dgamma.binding, dbeta.binding], ub.buffer, grid1d(cols, 64),
      );
    }
    return [dx, dgamma, dbeta];
  });
  // stats live as long as the graph needs them: released with the output's scope.
  if (!out.gradFn) stats.dispose();
  return out;
}

/**
 * All three gradients in one pass of the wide kernel (rows spread over several subgroups). x, g (dy), dx: [rows,
 * cols]; stats: [rows, 2] → [dx, dgamma, dbeta] (the last two null without `paramGrads`: their partials are then
 * written and dropped, two rows per ROWS rows of x).
 */
function wideBackward(
  x: Tensor, gamma: Tensor, g: Tensor, stats: Tensor, dx: Tensor,
  shape: { WG: number; HELD: number; ROWS: number }, rows: number, cols: number, paramGrads: boolean,
): [Tensor, Tensor | null, Tensor | null] {
  const groups = Math.ceil(rows / shape.ROWS);
  const pg = empty([groups, cols]);
  const pb = empty([groups, cols]);
  runtime().dispatch(
    kernel('layernorm_backward_wide', layernormBackwardWideWgsl, shape),
    [x.binding, gamma.binding, stats.binding, g.binding, dx.binding, pg.binding, pb.binding],
    new Uniforms().u32(rows, cols / 4).buffer, gridRows(groups),
  );
  let dgamma: Tensor | null = null;
  let dbeta: Tensor | null = null;
  if (paramGrads) {
    dgamma = empty(gamma.shape);
    dbeta = empty(gamma.shape);
    columnSums(pg, groups, cols, dgamma);
    columnSums(pb, groups, cols, dbeta);
  }
  pg.dispose();
  pb.dispose();
  return [dx, dgamma, dbeta];
}

/**
 * All three gradients of streamed subgroup rows in one pass. x, g (dy), dx: [rows, cols]; stats: [rows, 2] →
 * [dx, dgamma, dbeta]. x and dy are read once; each workgroup of STREAMED_ROWS rows writes its [cols] partials of
 * dgamma and dbeta, summed in workgroup order (deterministic).
 */
function streamedBackward(
  x: Tensor, gamma: Tensor, g: Tensor, stats: Tensor, dx: Tensor,
  forward: { WG: number; HELD: number; ROWS: number }, rows: number, cols: number,
): [Tensor, Tensor, Tensor] {
  const groups = Math.ceil(rows / STREAMED_ROWS);
  const pg = empty([groups, cols]);
  const pb = empty([groups, cols]);
  runtime().dispatch(
    kernel('layernorm_subgroup', layernormSubgroupWgsl, { ...forward, ROWS: STREAMED_ROWS, PARAMS: 1 }, 'input_grad'),
    [x.binding, gamma.binding, null, null, stats.binding, g.binding, dx.binding, pg.binding, pb.binding],
    new Uniforms().u32(rows, cols / 4).f32(0).buffer, gridRows(groups),
  );
  const dgamma = empty(gamma.shape);
  const dbeta = empty(gamma.shape);
  columnSums(pg, groups, cols, dgamma);
  columnSums(pb, groups, cols, dbeta);
  pg.dispose();
  pb.dispose();
  return [dx, dgamma, dbeta];
}
