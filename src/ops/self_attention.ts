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

/**
 * Chooses the attention kernels for every later call. 'auto': the unfused path (measured faster on lavapipe; the
 * fused kernels are not yet measured on a GPU) while its [B, H, T, T] tensors fit one storage binding, the fused
 * kernels beyond (long sequences, big batches: the only path that fits).
 */
export function setAttentionKernel(kernel: AttentionKernel): void {
  if (!['auto', 'fused', 'unfused'].includes(kernel)) throw new Error(`setAttentionKernel: expected 'auto', 'fused' or 'unfused', got '${kernel}'`);
  preference = kernel;
}

/** The preference set by setAttentionKernel. */
export function getAttentionKernel(): AttentionKernel {
  return preference;
}

/** The path selfAttention takes for this head size (and [B, H, T, T] probabilities of `probsBytes` bytes) now. */
export function attentionKernelFor(headDim: number, probsBytes = 0): 'fused' | 'unfused' {
  if (!flashAttentionSupports(headDim)) return 'unfused';
  if (preference !== 'auto') return preference;
  return probsBytes > runtime().limits.maxStorageBufferBindingSize ? 'fused' : 'unfused';
}

/** q, k, v: [B, T, H·D] → context [B, T, H·D] = dropout(softmax(scale·q·kᵀ + mask))·v per head. */
export function selfAttention(q: Tensor, k: Tensor, v: Tensor, heads: number, options: AttentionOptions): Tensor {
  const [b, t, hd] = q.shape;
  if (q.rank === 3 && hd % heads === 0 && attentionKernelFor(hd / heads, b * heads * t * t * 4) === 'fused') {
    return flashAttention(q, k, v, heads, options);
  }
  const scores = attentionScores(q, k, heads, options.scale); // [B, H, T, T]
  let probs = softmax(scores, { mask: options.mask });
  const drop = options.dropout;
  if (drop && drop.p > 0) probs = dropout(probs, drop.p, drop.rng);
  return attentionContext(probs, v, heads);
}
