// LayerNorm over the last axis, fused forward and backward (torch semantics: biased variance, eps inside sqrt).
import layernormWgsl from '../../shaders/layernorm.wgsl';
import layernormBackwardWgsl from '../../shaders/layernorm_backward.wgsl';
import layernormParamGradWgsl from '../../shaders/layernorm_param_grad.wgsl';
import { LAYERNORM_BACKWARD_HELD, LAYERNORM_FORWARD_HELD, type LayerNormRowShape } from './layernorm_gen.js';
import { columnChunks, columnSums } from './reduce.js';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import { settings } from '../runtime/settings.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertFloat, empty, grid1d, gridRows } from './kernel.js';
import { subgroupRowSize } from './softmax.js';

/** The generic forward: a workgroup of 64 per row; saves (mean, rstd) per row in stats. */
const LAYERNORM = defineKernel({
  name: 'layernorm',
  source: layernormWgsl,
  bindings: { x: 'read', gamma: 'read', beta: 'read', y: 'read_write', stats: 'read_write' },
  uniforms: { rows: 'u32', cols: 'u32', eps: 'f32' },
});

/** The generic backward: input_grad (a workgroup per row), param_grad (an invocation per column, any cols). */
const LAYERNORM_BACKWARD = defineKernel({
  name: 'layernorm_backward',
  source: layernormBackwardWgsl,
  bindings: {
    x: 'read',
    gamma: 'read',
    dy: 'read',
    stats: 'read',
    dx: 'read_write',
    dgamma: 'read_write',
    dbeta: 'read_write',
  },
  uniforms: { rows: 'u32', cols: 'u32' },
  entryPoints: { input_grad: ['x', 'gamma', 'dy', 'stats', 'dx'], param_grad: ['x', 'dy', 'stats', 'dgamma', 'dbeta'] },
});

/** dgamma / dbeta partials over row chunks (cols a multiple of 4), summed by columnSums. */
const LAYERNORM_PARAM_GRAD = defineKernel({
  name: 'layernorm_param_grad',
  source: layernormParamGradWgsl,
  bindings: { x: 'read', dy: 'read', stats: 'read', part_g: 'read_write', part_b: 'read_write' },
  uniforms: { rows: 'u32', cols4: 'u32', chunk: 'u32', chunks: 'u32' },
  entryPoints: { param_partial: ['x', 'dy', 'stats', 'part_g', 'part_b'] },
});

/**
 * The generated kernels' shape for rows of `cols` on this device (one subgroup per row; held vec4s per lane capped
 * by settings().layerNormHeldCap, the rest streamed), or null without a fixed subgroup size or with cols not a
 * multiple of 4 (the generic kernels then run).
 */
export function layerNormRowShape(cols: number): LayerNormRowShape | null {
  const lanes = subgroupRowSize(cols);
  if (!lanes) return null;
  const { layerNormHeldCap: cap, layerNormRows: rows } = settings();
  const perLane = Math.ceil(cols / 4 / lanes);
  return { lanes, held: Math.min(perLane, cap), rows, tail: perLane > cap };
}

/** x: [..., C], gamma/beta: [C] → [..., C]. */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  assertFloat('layerNorm', x, gamma, beta);
  const cols = x.shape[x.rank - 1];
  if (gamma.size !== cols || beta.size !== cols) {
    throw new Error(
      `layerNorm: weight [${gamma.shape}] and bias [${beta.shape}] must have ${cols} elements for input [${x.shape}]`,
    );
  }
  const rows = x.size / cols;
  const y = empty(x.shape);
  const stats = empty([rows, 2]);
  // Subgroup rows of vec4s: held in registers by one subgroup (generated kernel); else the generic kernel, one
  // workgroup of 64 per row.
  const held = layerNormRowShape(cols);
  if (held) {
    runtime().dispatch(LAYERNORM_FORWARD_HELD, {
      params: held,
      bindings: { x: x.binding, gamma: gamma.binding, beta: beta.binding, y: y.binding, stats: stats.binding },
      uniforms: { rows, cols4: cols / 4, eps },
      grid: gridRows(Math.ceil(rows / held.rows)),
    });
  } else {
    runtime().dispatch(LAYERNORM, {
      bindings: { x: x.binding, gamma: gamma.binding, beta: beta.binding, y: y.binding, stats: stats.binding },
      uniforms: { rows, cols, eps },
      grid: gridRows(rows),
    });
  }
  const out = record('layerNorm', [x, gamma, beta], y, (g) => {
    const paramGrads = gamma.requiresGrad || beta.requiresGrad;
    const dx = x.requiresGrad ? empty(x.shape) : null;
    // Subgroup rows: the generated kernel, one pass for all three gradients. Otherwise the generic input gradient,
    // then the parameter pass below.
    if (dx && held) return backwardHeld(x, gamma, beta, g, stats, dx, held, rows, cols, paramGrads);
    if (dx) {
      runtime().dispatch(LAYERNORM_BACKWARD, {
        entry: 'input_grad',
        bindings: { x: x.binding, gamma: gamma.binding, dy: g.binding, stats: stats.binding, dx: dx.binding },
        uniforms: { rows, cols },
        grid: gridRows(rows),
      });
    }
    if (!paramGrads) return [dx, null, null];
    if (cols % 4 === 0) {
      // Two stages, deterministic: vec4 column partials over row chunks, then their sums in chunk order.
      const cols4 = cols / 4;
      const { chunk, chunks } = columnChunks(rows, cols4);
      const pg = empty([chunks, cols]);
      const pb = empty([chunks, cols]);
      runtime().dispatch(LAYERNORM_PARAM_GRAD, {
        entry: 'param_partial',
        bindings: { x: x.binding, dy: g.binding, stats: stats.binding, part_g: pg.binding, part_b: pb.binding },
        uniforms: { rows, cols4, chunk, chunks },
        grid: [Math.ceil(cols4 / 64), chunks],
      });
      return [dx, ...sumPartials(pg, pb, chunks, gamma, beta)];
    }
    const dgamma = empty(gamma.shape);
    const dbeta = empty(beta.shape);
    runtime().dispatch(LAYERNORM_BACKWARD, {
      entry: 'param_grad',
      bindings: { x: x.binding, dy: g.binding, stats: stats.binding, dgamma: dgamma.binding, dbeta: dbeta.binding },
      uniforms: { rows, cols },
      grid: grid1d(cols, 64),
    });
    return [dx, dgamma, dbeta];
  });
  // stats live as long as the graph needs them: released with the output's scope.
  if (!out.gradFn) stats.dispose();
  return out;
}

/**
 * All three gradients in one pass of the generated kernel. x, g (dy), dx: [rows, cols]; stats: [rows, 2] → [dx,
 * dgamma, dbeta] (the last two null without `paramGrads`: their partials are then written and dropped, two rows per
 * shape.rows rows of x).
 */
function backwardHeld(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  g: Tensor,
  stats: Tensor,
  dx: Tensor,
  shape: LayerNormRowShape,
  rows: number,
  cols: number,
  paramGrads: boolean,
): [Tensor, Tensor | null, Tensor | null] {
  const groups = Math.ceil(rows / shape.rows);
  const pg = empty([groups, cols]);
  const pb = empty([groups, cols]);
  runtime().dispatch(LAYERNORM_BACKWARD_HELD, {
    params: shape,
    bindings: {
      x: x.binding,
      gamma: gamma.binding,
      stats: stats.binding,
      dy: g.binding,
      dx: dx.binding,
      part_g: pg.binding,
      part_b: pb.binding,
    },
    uniforms: { rows, cols4: cols / 4 },
    grid: gridRows(groups),
  });
  if (paramGrads) return [dx, ...sumPartials(pg, pb, groups, gamma, beta)];
  pg.dispose();
  pb.dispose();
  return [dx, null, null];
}

/**
 * dgamma and dbeta (shaped as gamma and beta) as the sums over `parts` rows of their [parts, cols] partials, in row
 * order (deterministic); the partials are released.
 */
function sumPartials(pg: Tensor, pb: Tensor, parts: number, gamma: Tensor, beta: Tensor): [Tensor, Tensor] {
  const cols = gamma.size;
  const dgamma = empty(gamma.shape);
  const dbeta = empty(beta.shape);
  columnSums(pg, parts, cols, dgamma);
  columnSums(pb, parts, cols, dbeta);
  pg.dispose();
  pb.dispose();
  return [dgamma, dbeta];
}
