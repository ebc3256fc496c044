// Skipping the padding: a token whose attention_mask is 0 is never attended to (its key is masked), and only each
// sequence's [CLS] row reaches the classifier. So a classification forward can run its linears, LayerNorms and FFNs
// on the real tokens alone ([N, dim], N = Σ lengths), attention on the batch re-padded to its longest sequence, and
// the last layer past attention on the [CLS] rows only. Per row the arithmetic is the padded forward's (a masked
// key weighs exactly 0 in both), so logits, loss and gradients agree to rounding; in training, dropout draws its
// mask over the packed tensors (a different but equally valid draw). The row gathers are differentiable (the
// embedding lookup with the activations as its table). What stays exact is checked here: a row with no unmasked key
// (HF then averages over all positions, padding included) gets no plan, and the caller runs the padded forward.
import { tensor } from '../../ops/basic.js';
import { embedding } from '../../ops/embedding.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface PackPlan {
  batch: number;
  /** Longest kept sequence: attention runs on [batch, tmax]. */
  tmax: number;
  /** Kept tokens N. */
  tokens: number;
  /** int32 [N]: the kept tokens' ids, sequence by sequence, in order. */
  ids: Tensor;
  /** int32 [N]: their position ids (HF's position_ids: arange(T) by default, padding or not; or the caller's). */
  positions: Tensor;
  /** int32 [N]: their token type ids, when the caller gave them. */
  tokenTypes?: Tensor;
  /** int32 [batch·tmax]: the packed row each re-padded slot reads (0 for empty slots, which are masked). */
  unpack: Tensor;
  /** int32 [N]: the re-padded slot of each packed row. */
  pack: Tensor;
  /** int32 [batch, tmax]: the kept tokens' own mask values, 0 in empty slots. */
  mask: Tensor;
  /** int32 [batch]: each sequence's [CLS] (position 0) row, packed. */
  cls: Tensor;
  /** int32 [batch]: each sequence's [CLS] slot in the re-padded batch (b·tmax). */
  clsSlots: Tensor;
}

/** Per-token values packed alongside the ids, host [B, T] row-major like them. */
export interface PackExtras {
  /** Position ids (default: each token's index t, HF's arange). */
  positions?: ArrayLike<number>;
  tokenTypes?: ArrayLike<number>;
}

/**
 * ids, mask (and extras): host [B, T] row-major → the plan, or undefined when packing would not be exact (a row
 * without any unmasked key). Position 0 is always kept (the classifier reads it even when its own mask is 0).
 */
export function planPacking(
  ids: ArrayLike<number>,
  mask: ArrayLike<number>,
  batch: number,
  seqLen: number,
  extras: PackExtras = {},
): PackPlan | undefined {
  const kept: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const row: number[] = [];
    let anyKey = false;
    for (let t = 0; t < seqLen; t++) {
      const m = mask[b * seqLen + t];
      if (m !== 0) anyKey = true;
      if (m !== 0 || t === 0) row.push(t);
    }
    if (!anyKey) return undefined;
    kept.push(row);
  }
  const tmax = Math.max(...kept.map((r) => r.length));
  const tokens = kept.reduce((s, r) => s + r.length, 0);
  const packedIds = new Int32Array(tokens);
  const positions = new Int32Array(tokens);
  const types = extras.tokenTypes ? new Int32Array(tokens) : undefined;
  const pack = new Int32Array(tokens);
  const unpack = new Int32Array(batch * tmax);
  const slotMask = new Int32Array(batch * tmax);
  const cls = new Int32Array(batch);
  const clsSlots = Int32Array.from({ length: batch }, (_, b) => b * tmax);
  let n = 0;
  kept.forEach((row, b) => {
    cls[b] = n;
    row.forEach((t, j) => {
      packedIds[n] = ids[b * seqLen + t];
      positions[n] = extras.positions ? extras.positions[b * seqLen + t] : t;
      if (types) types[n] = extras.tokenTypes![b * seqLen + t];
      pack[n] = b * tmax + j;
      unpack[b * tmax + j] = n;
      slotMask[b * tmax + j] = mask[b * seqLen + t];
      n++;
    });
  });
  const i32 = (data: Int32Array, shape: number[]): Tensor => tensor(data, shape, 'i32');
  return {
    batch,
    tmax,
    tokens,
    ids: i32(packedIds, [tokens]),
    positions: i32(positions, [tokens]),
    tokenTypes: types && i32(types, [tokens]),
    unpack: i32(unpack, [batch * tmax]),
    pack: i32(pack, [tokens]),
    mask: i32(slotMask, [batch, tmax]),
    cls: i32(cls, [batch]),
    clsSlots: i32(clsSlots, [batch]),
  };
}

/** x: [R, C], rows: int32 [...] → [..., C]: x's rows picked by index (the embedding lookup, x as the table). */
export function gatherRows(x: Tensor, rows: Tensor): Tensor {
  return embedding(x, rows);
}
