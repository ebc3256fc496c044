// LayerNorm over the last axis, fused forward and backward (torch semantics: biased variance, eps inside sqrt).
import layernormWgsl from '../../shaders/layernorm.wgsl';
import layernormBackwardWgsl from '../../shaders/layernorm_backward.wgsl';
import layernormSubgroupWgsl from '../../shaders/layernorm_subgroup.wgsl';
import layernormParamGradWgsl from '../../shaders/layernorm_param_grad.wgsl';
import { generateLayerNormBackward, generateLayerNormForward, layerNormBackwardName, layerNormForwardName, type LayerNormRowShape } from './layernorm_gen.js';
import { columnChunks, columnSums } from './reduce.js';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { Uniforms } from '../runtime/runtime.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertFloat, empty, generatedKernel, grid1d, gridRows, kernel } from './kernel.js';
import { subgroupRowSize } from './softmax.js';

/**
 * The generated kernels (layernorm_gen.ts) hold rows of up to HELD_MAX vec4s per lane (3072 columns with 8 lanes):
 * past that their unrolled code grows too long, and rows are streamed from memory instead.
 */
const HELD_MAX = 96;
/**
 * Rows per workgroup of the generated kernels: each workgroup loads gamma (and beta) once, and the backward writes
 * its dgamma/dbeta partial rows once, so more rows amortise that. Lavapipe, % of a plain copy in paired rounds:
 * backward [2048, 768] 8 or 16 rows 85-86%, 32 rows 119%; forward [2048, 768] / [2048, 3072] 8 rows 87-90 / 80-82%,
 * 16 rows 91 / 90%, 32 rows 99-101 / 87-90% (two runs each). A GPU wants the workgroups instead.
 */
const HELD_ROWS = { software: 32, gpu: 4 };
/**
 * Rows per workgroup of the one-pass backward of streamed rows: its dgamma/dbeta partials are 1/STREAMED_ROWS of x.
 * Measured on lavapipe at [2048, 3072], alternating runs: 41-54 ms against 49-66 ms for the two passes.
 */
const STREAMED_ROWS = 8;

/** The generated kernel's shape for rows of `cols` with subgroups of `sg` lanes, or null where it does not apply. */
function heldShape(cols: number, sg: number): LayerNormRowShape | null {
  const held = sg ? Math.ceil(cols / 4 / sg) : 0;
  if (held === 0 || held > HELD_MAX) return null;
  return { lanes: sg, held, rows: runtime().info.isSoftware ? HELD_ROWS.software : HELD_ROWS.gpu };
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
  // Subgroup rows of vec4s: held in registers by one subgroup (generated kernel), or streamed; else the generic
  // kernel, one workgroup of 64 per row.
  const sg = subgroupRowSize(cols);
  const held = heldShape(cols, sg);
  if (held) {
    runtime().dispatch(
      generatedKernel(layerNormForwardName(held), () => generateLayerNormForward(held)),
      [x.binding, gamma.binding, beta.binding, y.binding, stats.binding], new Uniforms().u32(rows, cols / 4).f32(eps).buffer,
      gridRows(Math.ceil(rows / held.rows)),
    );
  } else if (sg) {
    runtime().dispatch(
      kernel('layernorm_subgroup', layernormSubgroupWgsl, { WG: sg }, 'forward'),
      [x.binding, gamma.binding, beta.binding, y.binding, stats.binding, null, null, null, null],
      new Uniforms().u32(rows, cols / 4).f32(eps).buffer, gridRows(rows),
    );
  } else {
    const u = new Uniforms().u32(rows, cols).f32(eps);
    runtime().dispatch(kernel('layernorm', layernormWgsl), [x.binding, gamma.binding, beta.binding, y.binding, stats.binding], u.buffer, gridRows(rows));
  }
  const out = record('layerNorm', [x, gamma, beta], y, (g) => {
    const ub = new Uniforms().u32(rows, cols);
    const paramGrads = gamma.requiresGrad || beta.requiresGrad;
    const dx = x.requiresGrad ? empty(x.shape) : null;
    // Subgroup rows of up to HELD_MAX vec4s per lane: the generated kernel, one pass for all three gradients;
    // longer rows: the streamed kernel, one pass too (x only: its input gradient alone). Without subgroups: the
    // generic input gradient, then the parameter pass below.
    if (dx && held) return backwardHeld(x, gamma, beta, g, stats, dx, held, rows, cols, paramGrads);
    if (dx && sg && paramGrads) return streamedBackward(x, gamma, beta, g, stats, dx, sg, rows, cols);
    if (dx && sg) {
      // The partial slots are statically bound: two distinct 4-value stand-ins (one buffer in two writable slots is a
      // WebGPU aliasing error).
      const [s1, s2] = [empty([4]), empty([4])];
      runtime().dispatch(
        kernel('layernorm_subgroup', layernormSubgroupWgsl, { WG: sg, ROWS: 1, PARAMS: 0 }, 'input_grad'),
        [x.binding, gamma.binding, null, null, stats.binding, g.binding, dx.binding, s1.binding, s2.binding],
        new Uniforms().u32(rows, cols / 4).f32(0).buffer, gridRows(rows),
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
      return [dx, ...sumPartials(pg, pb, chunks, gamma, beta)];
    }
    const dgamma = empty(gamma.shape);
    const dbeta = empty(beta.shape);
    runtime().dispatch(
      kernel('layernorm_backward', layernormBackwardWgsl, undefined, 'param_grad'),
      [x.binding, null, g.binding, stats.binding, null, dgamma.binding, dbeta.binding], ub.buffer, grid1d(cols, 64),
    );
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
  x: Tensor, gamma: Tensor, beta: Tensor, g: Tensor, stats: Tensor, dx: Tensor,
  shape: LayerNormRowShape, rows: number, cols: number, paramGrads: boolean,
): [Tensor, Tensor | null, Tensor | null] {
  const groups = Math.ceil(rows / shape.rows);
  const pg = empty([groups, cols]);
  const pb = empty([groups, cols]);
  runtime().dispatch(
    generatedKernel(layerNormBackwardName(shape), () => generateLayerNormBackward(shape)),
    [x.binding, gamma.binding, stats.binding, g.binding, dx.binding, pg.binding, pb.binding],
    new Uniforms().u32(rows, cols / 4).buffer, gridRows(groups),
  );
  if (paramGrads) return [dx, ...sumPartials(pg, pb, groups, gamma, beta)];
  pg.dispose();
  pb.dispose();
  return [dx, null, null];
}

/**
 * All three gradients of streamed subgroup rows in one pass. x, g (dy), dx: [rows, cols]; stats: [rows, 2] →
 * [dx, dgamma, dbeta]. x and dy are read once; each workgroup of STREAMED_ROWS rows writes its [cols] partials of
 * dgamma and dbeta, summed in workgroup order (deterministic).
 */
function streamedBackward(
  x: Tensor, gamma: Tensor, beta: Tensor, g: Tensor, stats: Tensor, dx: Tensor,
  sg: number, rows: number, cols: number,
): [Tensor, Tensor, Tensor] {
  const groups = Math.ceil(rows / STREAMED_ROWS);
  const pg = empty([groups, cols]);
  const pb = empty([groups, cols]);
  runtime().dispatch(
    kernel('layernorm_subgroup', layernormSubgroupWgsl, { WG: sg, ROWS: STREAMED_ROWS, PARAMS: 1 }, 'input_grad'),
    [x.binding, gamma.binding, null, null, stats.binding, g.binding, dx.binding, pg.binding, pb.binding],
    new Uniforms().u32(rows, cols / 4).f32(0).buffer, gridRows(groups),
  );
  return [dx, ...sumPartials(pg, pb, groups, gamma, beta)];
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
