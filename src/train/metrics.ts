// Classification metrics on host arrays, with the semantics of `evaluate`'s accuracy and f1 (sklearn underneath):
// accuracy = mean(pred == label); f1 binary on pos_label 1 by default, or macro / micro over the classes.

/** What computeMetrics receives: logits [N, numLabels] row-major and the N label ids (HF EvalPrediction). */
export interface EvalPrediction {
  predictions: Float32Array;
  labelIds: Int32Array;
  numLabels: number;
}

export type ComputeMetrics = (p: EvalPrediction) => Record<string, number>;

/** logits: [N, C] row-major → [N] index of each row's largest value (first on ties, as numpy's argmax). */
export function argmax(logits: Float32Array, numLabels: number): Int32Array {
  if (numLabels < 1 || logits.length % numLabels !== 0) {
    throw new Error(`argmax: ${logits.length} logits do not split into rows of ${numLabels}`);
  }
  const n = logits.length / numLabels;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numLabels; c++) if (logits[i * numLabels + c]! > logits[i * numLabels + best]!) best = c;
    out[i] = best;
  }
  return out;
}

function checkLengths(name: string, preds: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (preds.length !== labels.length)
    throw new Error(`${name}: ${preds.length} predictions but ${labels.length} labels`);
}

/** preds [N], labels [N] → fraction correct (0 for N = 0, as there is nothing wrong). */
export function accuracy(preds: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths('accuracy', preds, labels);
  if (preds.length === 0) return 0;
  let right = 0;
  for (let i = 0; i < preds.length; i++) if (preds[i] === labels[i]) right++;
  return right / preds.length;
}

export interface F1Options {
  /** 'binary' (default): F1 of posLabel; 'macro': unweighted mean over classes; 'micro': global counts. */
  average?: 'binary' | 'macro' | 'micro';
  posLabel?: number;
}

/** preds [N], labels [N] → F1. A class with no predicted and no true examples scores 0 (sklearn's zero_division). */
export function f1(preds: ArrayLike<number>, labels: ArrayLike<number>, options: F1Options = {}): number {
  checkLengths('f1', preds, labels);
  const average = options.average ?? 'binary';
  const classOf = (c: number): { tp: number; fp: number; fn: number } => {
    let tp = 0,
      fp = 0,
      fn = 0;
    for (let i = 0; i < preds.length; i++) {
      const p = preds[i] === c,
        l = labels[i] === c;
      if (p && l) tp++;
      else if (p) fp++;
      else if (l) fn++;
    }
    return { tp, fp, fn };
  };
  const score = ({ tp, fp, fn }: { tp: number; fp: number; fn: number }): number =>
    tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  if (average === 'binary') return score(classOf(options.posLabel ?? 1));
  const classes = [...new Set([...Array.from(preds), ...Array.from(labels)])].sort((a, b) => a - b);
  const counts = classes.map(classOf);
  if (average === 'macro') return counts.length === 0 ? 0 : counts.reduce((s, c) => s + score(c), 0) / counts.length;
  return score(
    counts.reduce((a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, fn: a.fn + c.fn }), { tp: 0, fp: 0, fn: 0 }),
  );
}

/** The tutorial's compute_metrics: { accuracy }. */
export const accuracyMetrics: ComputeMetrics = (p) => ({
  accuracy: accuracy(argmax(p.predictions, p.numLabels), p.labelIds),
});

/** accuracy plus F1 (binary for two labels, macro otherwise). */
export const classificationMetrics: ComputeMetrics = (p) => {
  const preds = argmax(p.predictions, p.numLabels);
  return {
    accuracy: accuracy(preds, p.labelIds),
    f1: f1(preds, p.labelIds, { average: p.numLabels === 2 ? 'binary' : 'macro' }),
  };
};
