// A run-time estimate before training starts, from FLOPs: the run's FLOPs (from the real padded batch shapes of
// epoch 0) divided by the adapter's measured matmul rate times an efficiency factor (the share of peak a whole
// training step achieves; calibrated on lavapipe). Plus, on a CPU software adapter, smaller flags that fit ~10 min.
import { randNormal } from '../../ops/basic.js';
import { matmul } from '../../ops/matmul.js';
import { runtime } from '../../runtime/device.js';
import { tidy } from '../../tensor/scope.js';

/**
 * Share of the measured matmul rate a whole forward+backward+AdamW step reaches: calibrated on lavapipe, conservative
 * on GPUs, the safe side for a warning (bench/README.md, *The run-time estimate*).
 */
const STEP_EFFICIENCY = 0.2;

export interface ModelShape {
  /** Parameters outside the embedding tables. */
  nonEmbeddingParams: number;
  layers: number;
  dim: number;
  hidden: number;
}

/** FLOPs of one sequence of T tokens: 2·P·T for the dense layers plus 4·L·T²·dim for the attention products. */
export function forwardFlops(m: ModelShape, tokens: number): number {
  return 2 * m.nonEmbeddingParams * tokens + 4 * m.layers * tokens * tokens * m.dim;
}

/**
 * Batches (lengths of each batch's rows) → FLOPs (training: forward + backward = 3 × forward). The model skips the
 * padding (src/models/common/packing.ts): dense layers over the real tokens, attention over each row padded to
 * the batch's longest (the [CLS]-only last layer is not counted: an over-estimate, the safe side for a warning).
 */
export function batchFlops(m: ModelShape, batchLengths: readonly (readonly number[])[], train: boolean): number {
  let total = 0;
  for (const lens of batchLengths) {
    const t = Math.max(...lens);
    const real = lens.reduce((a, v) => a + v, 0);
    total += (2 * m.nonEmbeddingParams * real + lens.length * 4 * m.layers * t * t * m.dim) * (train ? 3 : 1);
  }
  return total;
}

/** The adapter's matmul rate in FLOP/s, on the model's FFN shape (a fraction of a second of GPU time). */
export async function measureMatmulRate(m: ModelShape): Promise<number> {
  const rows = 1024;
  const rt = runtime();
  const a = randNormal([rows, m.dim], 1);
  const b = randNormal([m.dim, m.hidden], 2);
  try {
    tidy(() => matmul(a, b)); // compile + warm
    await rt.sync();
    const flopsEach = 2 * rows * m.dim * m.hidden;
    let reps = 1;
    for (;;) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) tidy(() => matmul(a, b));
      await rt.sync();
      const seconds = (performance.now() - t0) / 1000;
      if (seconds > 0.25 || reps >= 4096) return (reps * flopsEach) / seconds;
      reps *= 4;
    }
  } finally {
    a.dispose();
    b.dispose();
  }
}

export interface Estimate {
  seconds: number;
  trainSeconds: number;
  evalSeconds: number;
  flopRate: number;
}

export function estimateSeconds(
  trainFlopsPerEpoch: number,
  epochs: number,
  evalFlops: number,
  evals: number,
  flopRate: number,
): Estimate {
  const eff = flopRate * STEP_EFFICIENCY;
  const trainSeconds = (trainFlopsPerEpoch * epochs) / eff;
  const evalSeconds = (evalFlops * evals) / eff;
  return { seconds: trainSeconds + evalSeconds, trainSeconds, evalSeconds, flopRate };
}

/**
 * A smaller run that should take about `budgetSeconds`: max length 128 (most of the cost of long reviews is past
 * it), then as many training examples as fit. lengths: tokenized lengths of the training set.
 */
export function suggestSmallerRun(
  m: ModelShape,
  lengths: readonly number[],
  epochs: number,
  flopRate: number,
  budgetSeconds = 600,
): { maxLength: number; maxTrainSamples: number; maxEvalSamples: number; numTrainEpochs: number } {
  const maxLength = 128;
  let perExample = 0;
  for (const l of lengths) perExample += 3 * forwardFlops(m, Math.min(l, maxLength));
  // Padding to the longest row of a batch costs about a third more than the rows' own lengths.
  perExample = (1.3 * perExample) / Math.max(1, lengths.length);
  const numTrainEpochs = 1;
  const affordable = Math.floor((budgetSeconds * 0.8 * flopRate * STEP_EFFICIENCY) / (perExample * numTrainEpochs));
  const maxTrainSamples = Math.max(64, Math.min(lengths.length, roundDown(affordable)));
  return {
    maxLength,
    maxTrainSamples,
    maxEvalSamples: Math.max(64, Math.min(1000, roundDown(maxTrainSamples / 4))),
    numTrainEpochs,
  };
}

function roundDown(n: number): number {
  if (n < 100) return Math.floor(n);
  const p = 10 ** Math.floor(Math.log10(n));
  return Math.floor(n / p) * p;
}
