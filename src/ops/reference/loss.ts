// Float64 reference for cross-entropy from logits (torch CrossEntropyLoss, mean over rows not ignored).
import { nd, type NdArray } from './nd.js';

/** logits: [N, C], labels: [N] → [] mean of −log softmax(logits)[label] over rows with label ≠ ignoreIndex. */
export function crossEntropy(logits: NdArray, labels: ArrayLike<number>, ignoreIndex = -100): NdArray {
  const [rows, classes] = logits.shape;
  let total = 0;
  let count = 0;
  for (let r = 0; r < rows; r++) {
    if (labels[r] === ignoreIndex) continue;
    let m = -Infinity;
    for (let c = 0; c < classes; c++) m = Math.max(m, logits.data[r * classes + c]);
    let s = 0;
    for (let c = 0; c < classes; c++) s += Math.exp(logits.data[r * classes + c] - m);
    total += m + Math.log(s) - logits.data[r * classes + labels[r]];
    count++;
  }
  return nd([], [total / count]);
}
