// The one shape every dataset reader returns, the options they share, and the error they throw.

/** N examples: texts[i] has class id labels[i]; labelNames[id] names the class when known. */
export interface TextClassificationDataset {
  texts: string[];
  labels: number[];
  labelNames?: string[];
  /** Where the examples came from (a path or URL), for messages. */
  source: string;
}

/** What every parser accepts. Field names are auto-detected when not given. */
export interface ParseOptions {
  /** Column / JSON key holding the text (default: the first of text, sentence, review, content). */
  textField?: string;
  /** Column / JSON key holding the label (default: the first of label, labels, sentiment). */
  labelField?: string;
  /** Class names in id order; string labels map through them, numeric ones must index them. */
  labelNames?: readonly string[];
  /** Stop after this many examples (cheap: later lines are not parsed). */
  maxSamples?: number;
}

export const TEXT_FIELD_CANDIDATES = ['text', 'sentence', 'review', 'content'] as const;
export const LABEL_FIELD_CANDIDATES = ['label', 'labels', 'sentiment'] as const;

/** Bad input: names the file and, when there is one, the line (or row) at fault. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
    /** What `line` counts: text lines, or rows of a columnar file. */
    readonly unit: 'line' | 'row' = 'line',
  ) {
    super(line === undefined ? `${file}: ${detail}` : `${file} (${unit} ${line}): ${detail}`);
  }
}

/** maxSamples from options, checked; Infinity when absent. */
export function sampleLimit(options: ParseOptions, where: string): number {
  const m = options.maxSamples;
  if (m === undefined) return Infinity;
  if (!Number.isInteger(m) || m < 0) throw new DatasetError(where, undefined, `maxSamples must be a non-negative integer, got ${m}`);
  return m;
}

/** header / keys, wanted field or candidates → the chosen name, or undefined. Exact match first, then case-insensitive. */
export function pickField(
  available: readonly string[],
  wanted: string | undefined,
  candidates: readonly string[],
): string | undefined {
  const names = wanted === undefined ? candidates : [wanted];
  for (const n of names) if (available.includes(n)) return n;
  for (const n of names) {
    const hit = available.find((a) => a.toLowerCase() === n.toLowerCase());
    if (hit !== undefined) return hit;
  }
  return undefined;
}
