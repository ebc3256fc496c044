// Multi-head self-attention, choosing between the fused flash kernels (flash_attention.ts: O(T) memory) and the
// unfused path (attention.ts products around softmax and dropout: O(T²) memory, but on lavapipe the tuned matmuls
// run the products faster than the fused kernels' per-row loops; see bench/README.md). Both draw the same dropout
// counters, so switching paths changes rounding only. The choice follows settings() (attentionKernel,
// attentionChunkBytes, attentionChunkedMax: runtime/profile.ts).
import { settings, type AttentionKernel } from '../runtime/settings.js';
import type { Tensor } from '../tensor/tensor.js';
import { attentionContext, attentionScores } from './attention.js';
import { dropoutSlice, type DropoutSlice } from './dropout.js';
import { flashAttention, flashAttentionSupports, type AttentionOptions } from './flash_attention.js';
import { concat, narrow } from './shape.js';
import { softmax } from './softmax.js';

export type { AttentionKernel, AttentionOptions };

/**
 * The path selfAttention takes for this head size now, given the [B, H, T, T] probabilities' bytes (`probsBytes`)
 * and one sequence's share of them (`seqBytes`, 0: unknown, taken as fitting). settings().attentionKernel 'auto':
 * the unfused path while those tensors fit one chunk (attentionChunkBytes: the binding limit); beyond, the unfused
 * path over chunks of the batch while one sequence's fit and all fit attentionChunkedMax chunks (software adapters:
 * 4; GPUs: 0), else the fused kernels (O(T) memory). 'unfused' chunks the batch as needed.
 */
export function attentionKernelFor(headDim: number, probsBytes = 0, seqBytes = 0): 'fused' | 'unfused' {
  if (!flashAttentionSupports(headDim)) return 'unfused';
  const { attentionKernel, attentionChunkBytes: chunk, attentionChunkedMax } = settings();
  if (attentionKernel !== 'auto') return attentionKernel;
  if (probsBytes <= chunk) return 'unfused';
  return seqBytes <= chunk && probsBytes <= attentionChunkedMax * chunk ? 'unfused' : 'fused';
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
  const offset = drop?.rng.next((b * seqBytes) / 4) ?? 0;
  const slice = (first: number): DropoutSlice | undefined => drop && { seed: drop.rng.seed, offset, first };
  const perChunk = Math.max(1, Math.floor(settings().attentionChunkBytes / seqBytes));
  if (q.rank !== 3 || perChunk >= b) return unfusedAttention(q, k, v, heads, options, slice(0));
  // The batch in chunks whose [b, H, T, T] tensors fit one binding.
  const contexts: Tensor[] = [];
  for (let b0 = 0; b0 < b; b0 += perChunk) {
    const n = Math.min(perChunk, b - b0);
    const part = (x: Tensor): Tensor => narrow(x, 0, b0, n);
    contexts.push(
      unfusedAttention(
        part(q),
        part(k),
        part(v),
        heads,
        { ...options, mask: options.mask && part(options.mask) },
        slice((b0 * seqBytes) / 4),
      ),
    );
  }
  return concat(contexts, 0);
}

/** The products around softmax and dropout (drawing `drop`'s slice of the mask). q, k, v: [B, T, H·D] → [B, T, H·D]. */
function unfusedAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  heads: number,
  options: AttentionOptions,
  drop: DropoutSlice | undefined,
): Tensor {
  const scores = attentionScores(q, k, heads, options.scale); // [B, H, T, T]
  let probs = softmax(scores, { mask: options.mask });
  if (drop) probs = dropoutSlice(probs, options.dropout!.p, drop);
  return attentionContext(probs, v, heads);
}
