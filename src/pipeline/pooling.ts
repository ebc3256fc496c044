// Sentence embeddings from token states, as sentence-transformers computes them: mean over the tokens the attention
// mask keeps (sum / max(count, 1e-9)) or the first token's state ('cls'), then optionally L2-normalised
// (x / max(‖x‖, 1e-12), torch's F.normalize). Pure host code in float64, shared by Node, the browser and the tests.

export type Pooling = 'mean' | 'cls';

export interface PoolingOptions {
  pooling: Pooling;
  /** Divide each embedding by its L2 norm (default false). */
  normalize?: boolean;
}

/**
 * hidden: row-major [B, T, H] values, attentionMask: [B][T] (0/1) → B embeddings of H numbers. H is read from the
 * sizes (hidden.length / (B·T)).
 */
export function poolEmbeddings(
  hidden: ArrayLike<number>,
  attentionMask: ReadonlyArray<ArrayLike<number>>,
  options: PoolingOptions,
): number[][] {
  const batch = attentionMask.length;
  const seqLen = batch ? attentionMask[0]!.length : 0;
  const size = hidden.length / Math.max(1, batch * seqLen);
  if (!Number.isInteger(size) || attentionMask.some((row) => row.length !== seqLen)) {
    throw new Error(`poolEmbeddings: ${hidden.length} values do not make [${batch}, ${seqLen}, H] for the mask's rows`);
  }
  if (options.pooling !== 'mean' && options.pooling !== 'cls') {
    throw new Error(`poolEmbeddings: pooling must be 'mean' or 'cls', got ${JSON.stringify(options.pooling)}`);
  }
  return attentionMask.map((mask, b) => {
    const out = new Array<number>(size).fill(0);
    if (options.pooling === 'cls') {
      for (let h = 0; h < size; h++) out[h] = hidden[b * seqLen * size + h]!;
    } else {
      let count = 0;
      for (let t = 0; t < seqLen; t++) {
        const m = mask[t]!;
        if (m === 0) continue;
        count += m;
        const row = (b * seqLen + t) * size;
        for (let h = 0; h < size; h++) out[h]! += m * hidden[row + h]!;
      }
      const denom = Math.max(count, 1e-9);
      for (let h = 0; h < size; h++) out[h]! /= denom;
    }
    return options.normalize ? l2Normalize(out) : out;
  });
}

function l2Normalize(v: number[]): number[] {
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / Math.max(norm, 1e-12));
}
