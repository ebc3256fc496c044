// The tutorial's training run as a list of batches, for projecting its wall time from a measured step: 25,000 IMDb
// reviews (token counts from bench/data/imdb-train-token-lengths.json: tokenized as the tutorial does, truncated at
// 512), shuffled per epoch, batches of 16, 2 epochs, padding skipped (each batch costs its real tokens in the linear
// layers and its longest row in attention). The projection scales the measured padding-skipped step by each batch's
// FLOPs against the measured batch's: it assumes the same efficiency at every length (an approximation: short
// batches use the GPU less well, so the projection is a lower bound on a GPU and close on a CPU).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { shuffledIndices } from '../../src/data/shuffle.js';

export interface TutorialBatch {
  /** Real tokens of the batch, and its longest row (attention's re-padded length). */
  real: number;
  longest: number;
  rows: number;
}

/** The token count of every review (in an arbitrary order: only the shuffles' statistics matter). */
export function imdbTrainLengths(path = resolve(process.cwd(), 'bench/data/imdb-train-token-lengths.json')): number[] {
  const file = JSON.parse(readFileSync(path, 'utf8')) as { histogram: Record<string, number> };
  return Object.entries(file.histogram).flatMap(([len, count]) => Array<number>(count).fill(Number(len)));
}

/** lengths → the batches of `epochs` shuffled epochs (seed + epoch per epoch, as the Trainer), `batch` rows each. */
export function tutorialBatches(lengths: readonly number[], batch = 16, epochs = 2, seed = 42): TutorialBatch[] {
  const out: TutorialBatch[] = [];
  for (let e = 0; e < epochs; e++) {
    const order = shuffledIndices(lengths.length, seed + e);
    for (let i = 0; i < order.length; i += batch) {
      const rows = Array.from(order.subarray(i, i + batch), (k) => lengths[k]!);
      out.push({ real: rows.reduce((a, b) => a + b, 0), longest: Math.max(...rows), rows: rows.length });
    }
  }
  return out;
}

/** FLOPs of a padding-skipped training step (3 × forward: linear layers on real tokens, attention on B × longest²). */
export function stepFlops(b: TutorialBatch, dim = 768, hidden = 3072, layers = 6): number {
  const linear = 2 * b.real * (4 * dim * dim + 2 * dim * hidden);
  const attention = 2 * 2 * b.rows * b.longest * b.longest * dim;
  return 3 * layers * (linear + attention);
}

/** The projected milliseconds of all `batches` from one measured step (`measuredMs` for batch `measured`). */
export function projectMs(batches: readonly TutorialBatch[], measured: TutorialBatch, measuredMs: number): number {
  const per = measuredMs / stepFlops(measured);
  return batches.reduce((sum, b) => sum + per * stepFlops(b), 0);
}
