// LayerNorm over the last axis, fused forward and backward (torch semantics: biased variance, eps inside sqrt).
import layernormWgsl from '../../shaders/layernorm.wgsl';
import layernormBackwardWgsl from '../../shaders/layernorm_backward.wgsl';
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
 * Vec4s per lane the generated kernels (layernorm_gen.ts) hold in registers; the rest of a longer row is streamed from
 * memory in each pass. Software adapters cap it for compile time, which grows with held² on lavapipe (24: 16 + 26 s,
 * forward + backward, on a Zen 5 host; 48: 50 + 103 s), at a cost in speed past the cap: [2048, 3072] at 16 lanes ran
 * at 91 / 97% of a copy fully held (48 per lane) and 76 / 67% fully streamed. 24 holds DistilBERT's 768 columns
 * with 8 or 16 lanes. GPUs compile fast: 96 (3072 columns with 8 lanes).
 */
const HELD_CAP = { software: 24, gpu: 96 };
/**
 * Rows per workgroup of the generated kernels: each workgroup loads gamma (and beta) once, and the backward writes
 * its dgamma/dbeta partial rows once, so more rows amortise that. Lavapipe, % of a plain copy in paired rounds:
 * backward [2048, 768] 8 or 16 rows 85-86%, 32 rows 119%; forward [2048, 768] / [2048, 3072] 8 rows 87-90 / 80-82%,
 * 16 rows 91 / 90%, 32 rows 99-101 / 87-90% (two runs each). A GPU wants the workgroups instead.
 */
const HELD_ROWS = { software: 32, gpu: 4 };

/**
 * The generated kernels' shape for rows of `cols` on this device (one subgroup per row), or null without a fixed
 * subgroup size or with cols not a multiple of 4 (the generic kernels then run).
 */
export function layerNormRowShape(cols: number): LayerNormRowShape | null {
  const lanes = subgroupRowSize(cols);
  if (!lanes) return null;
  const software = runtime().info.isSoftware;
  const perLane = Math.ceil(cols / 4 / lanes);
  const cap = software ? HELD_CAP.software : HELD_CAP.gpu;
  return { lanes, held: Math.min(perLane, cap), rows: software ? HELD_ROWS.software : HELD_ROWS.gpu, tail: perLane > cap };
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
  // Subgroup rows of vec4s: held in registers by one subgroup (generated kernel); else the generic kernel, one
  // workgroup of 64 per row.
  const held = layerNormRowShape(cols);
  if (held) {
    runtime().dispatch(
      generatedKernel(layerNormForwardName(held), () => generateLayerNormForward(held)),
      [x.binding, gamma.binding, beta.binding, y.binding, stats.binding], new Uniforms().u32(rows, cols / 4).f32(eps).buffer,
      gridRows(Math.ceil(rows / held.rows)),
    );
  } else {
    const u = new Uniforms().u32(rows, cols).f32(eps);
    runtime().dispatch(kernel('layernorm', layernormWgsl), [x.binding, gamma.binding, beta.binding, y.binding, stats.binding], u.buffer, gridRows(rows));
  }
  const out = record('layerNorm', [x, gamma, beta], y, (g) => {
    const ub = new Uniforms().u32(rows, cols);
    const paramGrads = gamma.requiresGrad || beta.requiresGrad;
    const dx = x.requiresGrad ? empty(x.shape) : null;
    // Subgroup rows: the generated kernel, one pass for all three gradients. Otherwise the generic input gradient,
    // then the parameter pass below.
    if (dx && held) return backwardHeld(x, gamma, beta, g, stats, dx, held, rows, cols, paramGrads);
    if (dx) {
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
