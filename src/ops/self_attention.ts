// Multi-head self-attention, choosing between the fused flash kernels (flash_attention.ts: O(T) memory) and the
// unfused path (attention.ts products around softmax and dropout: O(T²) memory, but on lavapipe the tuned matmuls
// run the products faster than the fused kernels' per-row loops; see bench/README.md). Both draw the same dropout
// counters, so switching paths changes rounding only.
import { runtime } from '../runtime/device.js';
import type { Tensor } from '../tensor/tensor.js';
import { attentionContext, attentionScores } from './attention.js';
import { dropoutSlice, type DropoutSlice } from './dropout.js';
import { flashAttention, flashAttentionSupports, type AttentionOptions } from './flash_attention.js';
import { concat, narrow } from './shape.js';
import { softmax } from './softmax.js';

export type AttentionKernel = 'auto' | 'fused' | 'unfused';
export type { AttentionOptions };

let preference: AttentionKernel = 'auto';

/**
 * Chooses the attention kernels for every later call. 'auto': the unfused path (measured faster on lavapipe; the
 * fused kernels are not yet measured on a GPU) while its [B, H, T, T] tensors fit one storage binding; beyond that
 * (long sequences, big batches), on software adapters the unfused path run over chunks of the batch that each fit
 * (up to 4 bindings' worth in all), elsewhere the fused kernels (O(T) memory). 'unfused' chunks the batch as needed.
 */
export function setAttentionKernel(kernel: AttentionKernel): void {
  if (!['auto', 'fused', 'unfused'].includes(kernel)) throw new Error(`setAttentionKernel: expected 'auto', 'fused' or 'unfused', got '${kernel}'`);
  preference = kernel;
}

/** The preference set by setAttentionKernel. */
export function getAttentionKernel(): AttentionKernel {
  return preference;
}

/** Bytes one chunk's [b, H, T, T] tensors may take: the binding limit (tests lower it to exercise chunking). */
let chunkLimitBytes: number | undefined;
export function setAttentionChunkBytes(bytes: number | undefined): void {
  chunkLimitBytes = bytes;
}
const chunkLimit = (): number => chunkLimitBytes ?? runtime().limits.maxStorageBufferBindingSize;
/** 'auto' chunks the unfused path up to this many bindings' worth of [B, H, T, T] probabilities (16×512: 1.6). */
const CHUNKED_MAX = 4;

/**
 * The path selfAttention takes for this head size now, given the [B, H, T, T] probabilities' bytes (`probsBytes`)
 * and one sequence's share of them (`seqBytes`, 0: unknown, taken as fitting).
 */
export function attentionKernelFor(headDim: number, probsBytes = 0, seqBytes = 0): 'fused' | 'unfused' {
  if (!flashAttentionSupports(headDim)) return 'unfused';
  if (preference !== 'auto') return preference;
  if (probsBytes <= chunkLimit()) return 'unfused';
  // Over one binding: software adapters chunk the batch (the tuned products beat the fused kernels' per-row loops
  // there: a 16×512 training step 1.7-1.9× faster, bench/README.md) up to CHUNKED_MAX bindings' worth, as the
  // backward keeps those tensors for every layer; GPUs, and anything bigger, take the fused kernels (O(T) memory).
  return runtime().info.isSoftware && seqBytes <= chunkLimit() && probsBytes <= CHUNKED_MAX * chunkLimit() ? 'unfused' : 'fused';
}

/** q, k, v: [B, T, H·D] → context [B, T, H·D] = dropout(softmax(scale·q·kᵀ + mask))·v per head. */
export function selfAttention(q: Tensor, k: Tensor, v: Tensor, heads: number, options: AttentionOptions): Tensor {
  const [b, t, hd] = q.shape;
  const seqBytes = heads * t * t * 4;
  if (q.rank === 3 && hd % heads === 0 && attentionKernelFor(hd / heads, b * seqBytes, seqBytes) === 'fused') {
    return flashAttention(q, k, v, heads, options);
  }
  // Dropout reserves the whole batch's counters once; a chunk of the batch draws its own elements' share of them,
  // so the mask is the one an unchunked call draws.
  const drop = options.dropout && options.dropout.p > 0 ? options.dropout : undefined;
  const offset = drop?.rng.next(b * seqBytes / 4) ?? 0;
  const slice = (first: number): DropoutSlice | undefined => drop && { seed: drop.rng.seed, offset, first };
  const perChunk = Math.max(1, Math.floor(chunkLimit() / seqBytes));
  if (q.rank !== 3 || perChunk >= b) return unfusedAttention(q, k, v, heads, options, slice(0));
  // The batch in chunks whose [b, H, T, T] tensors fit one binding.
  const contexts: Tensor[] = [];
  for (let b0 = 0; b0 < b; b0 += perChunk) {
    const n = Math.min(perChunk, b - b0);
    const part = (x: Tensor): Tensor => narrow(x, 0, b0, n);
    contexts.push(unfusedAttention(part(q), part(k), part(v), heads, { ...options, mask: options.mask && part(options.mask) }, slice(b0 * seqBytes / 4)));
  }
  return concat(contexts, 0);
}

/** The products around softmax and dropout (drawing `drop`'s slice of the mask). q, k, v: [B, T, H·D] → [B, T, H·D]. */
function unfusedAttention(q: Tensor, k: Tensor, v: Tensor, heads: number, options: AttentionOptions, drop: DropoutSlice | undefined): Tensor {
  const scores = attentionScores(q, k, heads, options.scale); // [B, H, T, T]
  let probs = softmax(scores, { mask: options.mask });
  if (drop) probs = dropoutSlice(probs, options.dropout!.p, drop);
  return attentionContext(probs, v, heads);
}
