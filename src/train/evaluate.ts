// The evaluation loop (HF evaluation_loop): eval mode, batches in dataset order, logits read back once per batch,
// loss = mean per-example cross-entropy over the whole set, then compute_metrics with the "eval_" prefix.
import { batches } from '../data/batches.js';
import { batchInputs } from '../data/collator.js';
import { noGrad } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import type { ComputeMetrics } from './metrics.js';
import type { Collator, FeatureDataset, TrainableModel } from './types.js';

export interface EvalResult {
  /** "eval_loss", "eval_<metric>"…, "eval_runtime", "eval_samples_per_second", "eval_steps_per_second". */
  metrics: Record<string, number>;
  /** Logits [N, C] row-major and labels [N] (HF's EvalPrediction). */
  predictions: Float32Array;
  labelIds: Int32Array;
}

export interface EvalOptions {
  batchSize: number;
  collator: Collator;
  computeMetrics?: ComputeMetrics;
  prefix?: string;
  /** Called after each batch (progress display). */
  onBatch?: (done: number, total: number) => void;
}

export async function evaluationLoop(
  model: TrainableModel,
  dataset: FeatureDataset,
  options: EvalOptions,
): Promise<EvalResult> {
  const prefix = options.prefix ?? 'eval';
  const n = dataset.length;
  if (n === 0) throw new Error('evaluate: the evaluation dataset is empty');
  const numLabels = model.config.num_labels;
  const order = batches(
    Array.from({ length: n }, (_, i) => i),
    options.batchSize,
  );
  const predictions = new Float32Array(n * numLabels);
  const labelIds = new Int32Array(n);
  const started = performance.now();
  let lossSum = 0;
  let lossCount = 0;
  let at = 0;
  const wasTraining = model.training;
  model.eval();
  try {
    for (let k = 0; k < order.length; k++) {
      const batch = options.collator.collate(order[k]!.map((i) => dataset[i]!));
      const logits = tidy(() => noGrad(() => model.forward(batchInputs(batch)).logits));
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      predictions.set(values, at * numLabels);
      if (batch.labels) {
        labelIds.set(batch.labels, at);
        lossSum += crossEntropySum(values, batch.labels, numLabels);
        lossCount += batch.batchSize;
      }
      at += batch.batchSize;
      options.onBatch?.(k + 1, order.length);
    }
  } finally {
    if (wasTraining) model.train();
  }
  const runtime = (performance.now() - started) / 1000;
  const metrics: Record<string, number> = {};
  if (lossCount > 0) metrics[`${prefix}_loss`] = lossSum / lossCount;
  if (options.computeMetrics && lossCount === n) {
    for (const [k, v] of Object.entries(options.computeMetrics({ predictions, labelIds, numLabels }))) {
      metrics[k.startsWith(`${prefix}_`) ? k : `${prefix}_${k}`] = v;
    }
  }
  metrics[`${prefix}_runtime`] = round(runtime, 4);
  metrics[`${prefix}_samples_per_second`] = round(n / runtime, 3);
  metrics[`${prefix}_steps_per_second`] = round(order.length / runtime, 3);
  return { metrics, predictions, labelIds };
}

/**
 * Σ over rows of −log softmax(logits)[label], in float64 (torch does it in float32 on the GPU; the difference is
 * far below what eval_loss is used for). logits: [B, C], labels: [B] (−100 rows are skipped, as torch's ignore_index).
 */
export function crossEntropySum(logits: Float32Array, labels: Int32Array, numLabels: number): number {
  let total = 0;
  for (let b = 0; b < labels.length; b++) {
    const label = labels[b]!;
    if (label === -100) continue;
    let max = -Infinity;
    for (let c = 0; c < numLabels; c++) max = Math.max(max, logits[b * numLabels + c]!);
    let sum = 0;
    for (let c = 0; c < numLabels; c++) sum += Math.exp(logits[b * numLabels + c]! - max);
    total += Math.log(sum) + max - logits[b * numLabels + label]!;
  }
  return total;
}

/** Python's round(x, digits) for the speed metrics. */
export function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}
