// The one way the readers assemble a TextClassificationDataset: optional fields only when present.
import type { TextClassificationDataset } from './types.js';

/** texts: [N], pairs: [N] | undefined, labels: [N], class names, source → the dataset. */
export function datasetOf(
  texts: string[],
  textPairs: string[] | undefined,
  labels: number[],
  labelNames: string[] | undefined,
  source: string,
): TextClassificationDataset {
  const ds: TextClassificationDataset = { texts, labels, source };
  if (textPairs !== undefined) ds.textPairs = textPairs;
  if (labelNames !== undefined) ds.labelNames = labelNames;
  return ds;
}
