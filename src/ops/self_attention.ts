// Multi-head self-attention, choosing between the fused flash kernels (flash_attention.ts: O(T) memory) and the
// unfused path (attention.ts products around softmax and dropout: O(T²) memory, but on lavapipe the tuned matmuls
// run the products faster than the fused kernels' per-row loops; see bench/README.md). Both draw the same dropout
// counters, so switching paths changes rounding only.
import { runtime } from '../runtime/device.js';
import type { Tensor } from '../tensor/tensor.js';
import { attentionContext, attentionScores } from './attention.js';
import { dropout } from './dropout.js';
import { flashAttention, flashAttentionSupports, type AttentionOptions } from './flash_attention.js';
import { softmax } from './softmax.js';

export type AttentionKernel = 'auto' | 'fused' | 'unfused';
export type { AttentionOptions };

let preference: AttentionKernel = 'auto';

/** Chooses the attention kernels for every later call ('auto': fused on hardware adapters, unfused on software ones). */
export function setAttentionKernel(kernel: AttentionKernel): void {
  if (!['auto', 'fused', 'unfused'].includes(kernel)) throw new Error(`setAttentionKernel: expected 'auto', 'fused' or 'unfused', got '${kernel}'`);
  preference = kernel;
}

/** The preference set by setAttentionKernel. */
export function getAttentionKernel(): AttentionKernel {
  return preference;
}

/** The path selfAttention takes for this head size now. */
export function attentionKernelFor(headDim: number): 'fused' | 'unfused' {
  if (!flashAttentionSupports(headDim)) return 'unfused';
  if (preference !== 'auto') return preference;
  return runtime().info.isSoftware ? 'unfused' : 'fused';
}

/** q, k, v: [B, T, H·D] → context [B, T, H·D] = dropout(softmax(scale·q·kᵀ + mask))·v per head. */
export function selfAttention(q: Tensor, k: Tensor, v: Tensor, heads: number, options: AttentionOptions): Tensor {
  if (q.rank === 3 && q.shape[2] % heads === 0 && attentionKernelFor(q.shape[2] / heads) === 'fused') {
    return flashAttention(q, k, v, heads, options);
  }
  const scores = attentionScores(q, k, heads, options.scale); // [B, H, T, T]
  let probs = softmax(scores, { mask: options.mask });
  const drop = options.dropout;
  if (drop && drop.p > 0) probs = dropout(probs, drop.p, drop.rng);
  return attentionContext(probs, v, heads);
}
