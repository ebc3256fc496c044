// Seeded, deterministic shuffling: the same seed gives the same order in Node and every browser.
// mulberry32 is tiny and has a 2^32 period, plenty for permuting datasets of up to millions of rows.
// (HF's `dataset.shuffle(seed=42)` uses numpy's PCG64; we do not reproduce its order.)

import { mulberry32 } from '../util/random.js';

export { mulberry32 };

/** n, seed → a permutation of 0..n-1 (Fisher–Yates driven by mulberry32(seed)). */
export function shuffledIndices(n: number, seed: number): Uint32Array {
  if (!Number.isInteger(n) || n < 0) throw new Error(`shuffledIndices: n must be a non-negative integer, got ${n}`);
  if (!Number.isFinite(seed)) throw new Error(`shuffledIndices: seed must be a finite number, got ${seed}`);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const rand = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  return out;
}
