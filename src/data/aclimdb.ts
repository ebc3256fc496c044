// The aclImdb folder layout (<split>/neg/*.txt, <split>/pos/*.txt), assembled from files already read.
// Pure: the Node reader (read_node.ts) lists and reads the folders; this file orders and labels them.

import { resolveLabels } from './labels.js';
import { DatasetError, sampleLimit, type ParseOptions, type TextClassificationDataset } from './types.js';

/** Class folders in id order: neg = 0, pos = 1, as in HF's stanfordnlp/imdb. */
export const ACLIMDB_CLASSES: readonly string[] = ['neg', 'pos'];

/** "<id>_<rating>.txt" names → sorted by numeric review id, then name (0, 1, 2, …, 10, not 0, 1, 10, 100). */
export function sortReviewFiles(names: readonly string[]): string[] {
  const key = (n: string): number => {
    const m = /^(\d+)/.exec(n);
    return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
  };
  return [...names].sort((a, b) => key(a) - key(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export interface ClassFolder {
  /** Folder name: "neg" or "pos". */
  className: string;
  /** Where it lives, for messages. */
  path: string;
  /** Review texts in sortReviewFiles order. */
  texts: string[];
}

/** class folders (each [N_c] texts) → dataset of sum N_c examples, classes in ACLIMDB_CLASSES order. */
export function assembleClassFolders(
  folders: readonly ClassFolder[],
  where: string,
  options: ParseOptions = {},
): TextClassificationDataset {
  const limit = sampleLimit(options, where);
  const ordered = [...folders].sort((a, b) => classRank(a.className) - classRank(b.className));
  // Folder names are the raw labels; map them through the caller's names (e.g. NEGATIVE/POSITIVE) if given.
  const { labels: ids, labelNames } = resolveLabels(
    ordered.map((f) => f.className),
    where,
    (i) => i + 1,
    'row',
    options.labelNames ?? ACLIMDB_CLASSES,
  );
  const texts: string[] = [];
  const labels: number[] = [];
  for (let c = 0; c < ordered.length && texts.length < limit; c++) {
    const f = ordered[c]!;
    for (let i = 0; i < f.texts.length && texts.length < limit; i++) {
      texts.push(f.texts[i]!);
      labels.push(ids[c]!);
    }
  }
  if (texts.length === 0 && limit !== 0)
    throw new DatasetError(where, undefined, 'no review files (*.txt) in neg/ or pos/');
  return { texts, labels, labelNames: labelNames ?? [...ACLIMDB_CLASSES], source: where };
}

function classRank(name: string): number {
  const i = ACLIMDB_CLASSES.indexOf(name);
  return i < 0 ? ACLIMDB_CLASSES.length : i;
}
