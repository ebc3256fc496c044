// Cutting an index order into batches; the Trainer's DataLoader does this once per epoch.

export interface BatchOptions {
  /** Drop a last batch smaller than batchSize (HF `dataloader_drop_last`; default false, as in HF). */
  dropLast?: boolean;
}

/** indices: [N], batchSize → ceil(N / batchSize) arrays (floor with dropLast), in order; the last may be short. */
export function batches(indices: ArrayLike<number>, batchSize: number, options: BatchOptions = {}): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batches: batchSize must be a positive integer, got ${batchSize}`);
  }
  const out: number[][] = [];
  for (let start = 0; start < indices.length; start += batchSize) {
    const end = Math.min(start + batchSize, indices.length);
    if (end - start < batchSize && options.dropLast) break;
    const batch = new Array<number>(end - start);
    for (let i = start; i < end; i++) batch[i - start] = indices[i]!;
    out.push(batch);
  }
  return out;
}

/** N, batchSize → number of batches per epoch (what the linear schedule's step count is built from). */
export function numBatches(n: number, batchSize: number, options: BatchOptions = {}): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`numBatches: batchSize must be a positive integer, got ${batchSize}`);
  }
  return options.dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}
