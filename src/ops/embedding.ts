// Embedding lookup and its deterministic backward (no float atomics in WGSL: a per-id chain sum instead).
import embeddingWgsl from '../../shaders/embedding.wgsl';
import embeddingBackwardWgsl from '../../shaders/embedding_backward.wgsl';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { Uniforms } from '../runtime/runtime.js';
import type { Tensor } from '../tensor/tensor.js';
import { zeros } from './basic.js';
import { assertFloat, empty, grid1d, gridRows, kernel } from './kernel.js';

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
  const u = new Uniforms().u32(tokens, dim, vocab);
  const vec4 = dim % 4 === 0;
  runtime().dispatch(kernel('embedding', embeddingWgsl, undefined, vec4 ? 'main4' : undefined), [weight.binding, ids.binding, out.binding], u.buffer,
    vec4 ? gridRows(Math.ceil(tokens / EMBEDDING_TOKENS_PER_GROUP)) : grid1d(tokens * dim));
  return record('embedding', [weight, ids], out, (g) => [embeddingBackward(ids, g, vocab, dim, paddingIdx), null]);
}

/** ids: [N] int32, dy: [N, C] → dweight [V, C]: row v = Σ dy over tokens with id v (fixed order). */
export function embeddingBackward(ids: Tensor, dy: Tensor, vocab: number, dim: number, paddingIdx: number): Tensor {
  const tokens = ids.size;
  const dweight = zeros([vocab, dim]);
  const links = empty([2 * tokens], 'i32');
  const u = new Uniforms().u32(tokens, dim).i32(paddingIdx);
  const rt = runtime();
  rt.dispatch(kernel('embedding_backward', embeddingBackwardWgsl, undefined, 'link'), [ids.binding, null, links.binding, null], u.buffer, grid1d(tokens));
  rt.dispatch(kernel('embedding_backward', embeddingBackwardWgsl, undefined, 'gather'), [ids.binding, dy.binding, links.binding, dweight.binding], u.buffer, grid1d(tokens * dim));
  links.dispose();
  return dweight;
}
