// Logits → [{label, score}], as transformers' TextClassificationPipeline.postprocess does it, in float64.
// Pure host code (no tensors), so Node, the browser and the tests share it exactly.

/** One label with its probability, as HF's pipeline returns it. */
export interface LabelScore {
  label: string;
  score: number;
}

/** HF's `function_to_apply`: softmax for single-label models, sigmoid for multi-label ones, none for regression. */
export type ScoreFunction = 'softmax' | 'sigmoid' | 'none';

/** What postprocessing needs from a model config (DistilBertConfig has these fields). */
export interface LabelConfig {
  id2label?: Record<number, string>;
  problem_type?: string | null;
}

/**
 * config, numLabels → HF's default function_to_apply (TextClassificationPipeline.postprocess, in its order): none
 * (the raw score) for problem_type regression, sigmoid per label for multi_label_classification or a single logit
 * without a problem_type, softmax otherwise. A model trained with num_labels 1 records problem_type regression.
 */
export function defaultScoreFunction(config: LabelConfig, numLabels: number): ScoreFunction {
  if (config.problem_type === 'regression') return 'none';
  if (config.problem_type === 'multi_label_classification' || numLabels === 1) return 'sigmoid';
  return 'softmax';
}

/** logits: [C] (f32 values) → scores: [C] in float64. Softmax subtracts the max first, as HF's numpy code does. */
export function scoreLogits(logits: ArrayLike<number>, fn: ScoreFunction): Float64Array {
  const n = logits.length;
  const out = new Float64Array(n);
  if (fn === 'none') {
    for (let i = 0; i < n; i++) out[i] = logits[i]!;
  } else if (fn === 'sigmoid') {
    for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-logits[i]!));
  } else {
    let max = -Infinity;
    for (let i = 0; i < n; i++) max = Math.max(max, logits[i]!);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += out[i] = Math.exp(logits[i]! - max);
    for (let i = 0; i < n; i++) out[i]! /= sum;
  }
  return out;
}

/** Label of class i: id2label[i], else HF's default name LABEL_i. */
export function labelOf(config: LabelConfig, i: number): string {
  return config.id2label?.[i] ?? `LABEL_${i}`;
}

/**
 * scores: [C] → the topK best as [{label, score}], highest first (topK null: all C).
 * Ties keep class order (a stable sort), like numpy's argsort of the negated scores in HF.
 */
export function topLabels(scores: Float64Array, config: LabelConfig, topK: number | null): LabelScore[] {
  const order = Array.from(scores, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const k = topK === null ? order.length : Math.min(topK, order.length);
  return order.slice(0, k).map((i) => ({ label: labelOf(config, i), score: scores[i]! }));
}

/** topK as a caller gave it → a validated value (null = all labels). */
export function checkTopK(topK: unknown, where: string): number | null {
  if (topK === null) return null;
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1) {
    throw new RangeError(`${where}: topK must be a positive integer or null (all labels), got ${JSON.stringify(topK)}`);
  }
  return topK;
}
