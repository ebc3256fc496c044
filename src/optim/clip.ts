// Global gradient norm and clipping, torch.nn.utils.clip_grad_norm_ semantics, entirely on the GPU.
import gradNormWgsl from '../../shaders/grad_norm.wgsl';
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import type { Tensor } from '../tensor/tensor.js';
import { scaleInto } from '../ops/basic.js';
import { empty } from '../ops/kernel.js';

/** partial / partial4: a tensor's squared sums per workgroup into partials[offset…]; finish: (norm, coefficient). */
const GRAD_NORM = defineKernel({
  name: 'grad_norm',
  source: gradNormWgsl,
  bindings: { x: 'read', partials: 'read_write', out: 'read_write' },
  uniforms: { n: 'u32', offset: 'u32', count: 'u32', max_norm: 'f32' },
  entryPoints: { partial: ['x', 'partials'], partial4: ['x', 'partials'], finish: ['partials', 'out'] },
});

const MAX_GROUPS_PER_TENSOR = 256;
/**
 * Values (vec4s on the vec4 path) each lane sums before its workgroup's tree: the tree's barriers cost more than the
 * loads they follow when lanes sum few (bench/README.md, *Elementwise kernels*).
 */
const VALUES_PER_LANE = 32;

/**
 * The L2 norm over all gradients and the clip coefficient min(1, maxNorm/(norm + 1e-6)).
 * grads: any shapes → [2] = (total norm, coefficient), on the GPU (read it only when logging).
 */
export function gradNorm(grads: Tensor[], maxNorm = Infinity): Tensor {
  const rt = runtime();
  // Each lane sums ~VALUES_PER_LANE values (or vec4s) before the workgroup's tree, at most 256 workgroups per tensor.
  const vec4 = grads.map((g) => g.size % 4 === 0);
  const groups = grads.map((g, i) =>
    Math.max(1, Math.min(MAX_GROUPS_PER_TENSOR, Math.ceil(g.size / (256 * VALUES_PER_LANE * (vec4[i] ? 4 : 1))))),
  );
  const count = groups.reduce((a, b) => a + b, 0);
  const partials = empty([Math.max(1, count)]);
  const out = empty([2]);
  let offset = 0;
  grads.forEach((g, i) => {
    rt.dispatch(GRAD_NORM, {
      entry: vec4[i] ? 'partial4' : 'partial',
      bindings: { x: g.binding, partials: partials.binding },
      uniforms: { n: g.size, offset, count: 0, max_norm: 0 },
      grid: [groups[i]],
    });
    offset += groups[i];
  });
  rt.dispatch(GRAD_NORM, {
    entry: 'finish',
    bindings: { partials: partials.binding, out: out.binding },
    uniforms: { n: 0, offset: 0, count, max_norm: Number.isFinite(maxNorm) ? maxNorm : 3.4e38 },
    grid: [1],
  });
  partials.dispose();
  return out;
}

/**
 * Scales every gradient in place by min(1, maxNorm/(norm + 1e-6)), as clip_grad_norm_.
 * params: tensors with .grad → [2] = (pre-clip total norm, coefficient) on the GPU.
 */
export function clipGradNorm(params: Tensor[], maxNorm: number): Tensor {
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== undefined);
  const result = gradNorm(grads, maxNorm);
  const coef = result.reshape([2]);
  const coefView = coefSlice(coef);
  for (const g of grads) scaleInto(g, coefView);
  coefView.dispose();
  coef.dispose();
  return result;
}

/** A 1-element view of the coefficient (element 1): the inplace kernel reads x[0], so copy it out. */
function coefSlice(normAndCoef: Tensor): Tensor {
  const c = empty([1]);
  runtime().copy(normAndCoef.buffer, c.buffer, 4, 4, 0);
  return c;
}
