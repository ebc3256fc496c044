// Embedding lookup and its deterministic backward (no float atomics in WGSL: a per-id chain sum instead).
import embeddingWgsl from '../../shaders/embedding.wgsl';
import embeddingBackwardWgsl from '../../shaders/embedding_backward.wgsl';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import type { Tensor } from '../tensor/tensor.js';
import { zeros } from './basic.js';
import { assertFloat, empty, grid1d, gridRows } from './kernel.js';

/** out[t] = weight[ids[t]] (ids clamped into [0, vocab)): per element, or main4 per vec4 row, 4 tokens a workgroup. */
const EMBEDDING = defineKernel({
  name: 'embedding',
  source: embeddingWgsl,
  bindings: { weight: 'read', ids: 'read', out: 'read_write' },
  uniforms: { tokens: 'u32', dim: 'u32', vocab: 'u32' },
  entryPoints: { main: ['weight', 'ids', 'out'], main4: ['weight', 'ids', 'out'] },
});

/** link: each token's next token with the same id (a chain per id); gather: dweight rows summed along the chains. */
const EMBEDDING_BACKWARD = defineKernel({
  name: 'embedding_backward',
  source: embeddingBackwardWgsl,
  bindings: { ids: 'read', dy: 'read', links: 'read_write', dweight: 'read_write' },
  uniforms: { tokens: 'u32', dim: 'u32', padding_idx: 'i32' },
  entryPoints: { link: ['ids', 'links'], gather: ['ids', 'dy', 'links', 'dweight'] },
});

/** Tokens per workgroup of the vec4 lookup (TOKENS_PER_GROUP in embedding.wgsl). */
const EMBEDDING_TOKENS_PER_GROUP = 4;

/**
 * weight: [V, C], ids: int32 [...] → [..., C]. Ids must lie in [0, V): callers validate host-side ids (the GPU
 * clamps, so a bad id can never read out of bounds). Row `paddingIdx` gets no gradient, as torch's padding_idx.
 */
export function embedding(weight: Tensor, ids: Tensor, paddingIdx = -1): Tensor {
  assertFloat('embedding', weight);
  if (ids.dtype !== 'i32') throw new Error(`embedding: ids must be int32, got ${ids.dtype}`);
  const [vocab, dim] = weight.shape;
  const tokens = ids.size;
  const out = empty([...ids.shape, dim]);
  const vec4 = dim % 4 === 0;
  runtime().dispatch(EMBEDDING, {
    entry: vec4 ? 'main4' : 'main',
    bindings: { weight: weight.binding, ids: ids.binding, out: out.binding },
    uniforms: { tokens, dim, vocab },
    grid: vec4 ? gridRows(Math.ceil(tokens / EMBEDDING_TOKENS_PER_GROUP)) : grid1d(tokens * dim),
  });
  return record('embedding', [weight, ids], out, (g) => [embeddingBackward(ids, g, vocab, dim, paddingIdx), null]);
}

/** ids: [N] int32, dy: [N, C] → dweight [V, C]: row v = Σ dy over tokens with id v (fixed order). */
export function embeddingBackward(ids: Tensor, dy: Tensor, vocab: number, dim: number, paddingIdx: number): Tensor {
  const tokens = ids.size;
  const dweight = zeros([vocab, dim]);
  const links = empty([2 * tokens], 'i32');
  const uniforms = { tokens, dim, padding_idx: paddingIdx };
  const bindings = { ids: ids.binding, dy: dy.binding, links: links.binding, dweight: dweight.binding };
  const rt = runtime();
  rt.dispatch(EMBEDDING_BACKWARD, { entry: 'link', bindings, uniforms, grid: grid1d(tokens) });
  rt.dispatch(EMBEDDING_BACKWARD, { entry: 'gather', bindings, uniforms, grid: grid1d(tokens * dim) });
  links.dispose();
  return dweight;
}
