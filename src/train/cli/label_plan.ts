// The one label mapping of a training run (class names in id order), decided before any training work and used
// for the training set, the evaluation set, config.json and so the predictor. Where the names come from, first
// that applies: --labels (its order is the id order), the model config's id2label when it names the classes, the
// training data (numeric ids as they are; string names sorted, as HF's class_encode_column does). The tutorial's
// NEGATIVE/POSITIVE name ids 0/1 only when nothing else names them. Pure: no files.
import { sameClassName } from '../../data/labels.js';
import type { TextClassificationDataset } from '../../data/types.js';

/** The tutorial's names for ids 0 and 1 (IMDb's neg/pos). */
export const DEFAULT_LABELS: readonly string[] = ['NEGATIVE', 'POSITIVE'];

export interface LabelPlan {
  /** Class names in id order. */
  names: string[];
  /** Where they came from, for messages ("--labels", "<dir>/config.json (id2label)", "the training data …"). */
  source: string;
}

/** What the checkpoint says about its classes: config.json's id2label, and the classifier head when it has one. */
export interface ModelLabels {
  /** config.json's id2label, in id order (HF fills LABEL_i when the config has none). */
  id2label?: string[];
  /** Outputs of the checkpoint's classifier head (classifier.weight rows); undefined without a head. */
  headOutputs?: number;
  /** Where those came from, for messages. */
  configPath: string;
  weightsPath: string;
}

/** HF's placeholder names LABEL_0, LABEL_1, …: they number the classes but do not name them. */
export function isPlaceholderNaming(names: readonly string[]): boolean {
  return names.every((n, i) => n === `LABEL_${i}`);
}

/** The names fixed before reading the data: --labels, else a config that names its classes; undefined: the data decides. */
export function namesBeforeData(labels: readonly string[] | undefined, model: ModelLabels): LabelPlan | undefined {
  if (labels) return { names: [...labels], source: '--labels' };
  const named = model.id2label;
  if (named && named.length >= 2 && !isPlaceholderNaming(named))
    return { names: [...named], source: `${model.configPath} (id2label)` };
  return undefined;
}

/** train (read without names) → its classes: the file's own names, sorted string labels, or ids 0..max. */
export function namesFromData(train: TextClassificationDataset): LabelPlan {
  const own = train.labelNames;
  if (own) {
    // IMDb's neg/pos (aclImdb folders, the Hub parquet's ClassLabel) are the tutorial's NEGATIVE/POSITIVE.
    const tutorial = own.length === 2 && own.every((n, i) => sameClassName(n, DEFAULT_LABELS[i]!));
    return { names: tutorial ? [...DEFAULT_LABELS] : [...own], source: `the label names of ${train.source}` };
  }
  let max = 0;
  for (const l of train.labels) max = Math.max(max, l);
  const count = Math.max(max + 1, 2);
  const names = count === 2 ? [...DEFAULT_LABELS] : Array.from({ length: count }, (_, i) => `LABEL_${i}`);
  return { names, source: `the label ids 0..${count - 1} of ${train.source}` };
}

/**
 * The plan against the checkpoint's classifier head: a head of k outputs fits k classes only, and a head whose
 * config names the same classes in another order would give every prediction the wrong name. → error text, or
 * undefined when they agree (or there is no head: a new one is initialised for the plan's classes).
 */
export function headConflict(plan: LabelPlan, model: ModelLabels): string | undefined {
  const k = model.headOutputs;
  if (k === undefined) return undefined;
  if (plan.names.length !== k) {
    return (
      `the model's classifier head (${model.weightsPath}: classifier.weight has ${k} rows) predicts ${k} classes, but ` +
      `${plan.source} gives ${plan.names.length} (${plan.names.join(', ')}); give --labels with ${k} names, ` +
      'or start from a model without a classification head (the base model)'
    );
  }
  const headNames = model.id2label;
  if (plan.source === '--labels' && headNames && !isPlaceholderNaming(headNames)) {
    const sameSet = headNames.length === k && plan.names.every((n) => headNames.some((h) => sameClassName(h, n)));
    const sameOrder = plan.names.every((n, i) => sameClassName(n, headNames[i]!));
    if (sameSet && !sameOrder) {
      return (
        `--labels ${plan.names.join(',')} orders the classes differently from the model's trained head ` +
        `(${model.configPath}: ${headNames.map((n, i) => `${i} ${n}`).join(', ')}): its rows would get the wrong names. ` +
        `Give --labels ${headNames.join(',')}`
      );
    }
  }
  return undefined;
}

/** "Labels (from …): 0 NEGATIVE (120 examples), 1 POSITIVE (131)" plus a warning per class with a single example. */
export function describeLabels(plan: LabelPlan, train: TextClassificationDataset): string {
  const counts = new Array<number>(plan.names.length).fill(0);
  for (const l of train.labels) counts[l] = (counts[l] ?? 0) + 1;
  const list = plan.names.map((n, i) => `${i} ${n} (${counts[i]}${i === 0 ? ' examples' : ''})`).join(', ');
  const lines = [`Labels (from ${plan.source}): ${list}`];
  if (train.labels.length >= 10) {
    plan.names.forEach((n, i) => {
      if (counts[i]! > 1) return;
      lines.push(
        `warning: class ${i} (${n}) has ${counts[i] === 0 ? 'no' : 'a single'} training example: if that is a mistake in ` +
          `${train.source}, fix it, or give --labels to fix the classes (a label outside them is then an error naming its line)`,
      );
    });
  }
  return `${lines.join('\n')}\n`;
}
