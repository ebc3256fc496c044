// The one shape every dataset reader returns, the options they share, and the error they throw.

/** N examples: texts[i] (with textPairs[i], for sentence pairs) has class id labels[i]; labelNames[id] names the class. */
export interface TextClassificationDataset {
  texts: string[];
  /** The second text of each example (sentence-pair tasks: NLI, paraphrase, QNLI); absent for single texts. */
  textPairs?: string[];
  labels: number[];
  labelNames?: string[];
  /** Where the examples came from (a path or URL), for messages. */
  source: string;
}

/** What every parser accepts. Field names are auto-detected when not given. */
export interface ParseOptions {
  /** Column / JSON key holding the text (default: the first of text, sentence, review, content). */
  textField?: string;
  /**
   * Column / JSON key holding the second text of a pair. Default: a GLUE-style pair of names when the data has both
   * (sentence1/sentence2, question/sentence, premise/hypothesis, question1/question2, text/text_pair), else none.
   */
  textPairField?: string;
  /** Column / JSON key holding the label (default: the first of label, labels, sentiment). */
  labelField?: string;
  /** Class names in id order; string labels map through them, numeric ones must index them. */
  labelNames?: readonly string[];
  /** Stop after this many examples (cheap: later lines are not parsed). */
  maxSamples?: number;
}

export const TEXT_FIELD_CANDIDATES = ['text', 'sentence', 'review', 'content'] as const;
export const LABEL_FIELD_CANDIDATES = ['label', 'labels', 'sentiment'] as const;
/** Hugging Face's GLUE-style names of a sentence pair's two columns, in the order they are looked for. */
export const TEXT_PAIR_CANDIDATES: ReadonlyArray<readonly [string, string]> = [
  ['sentence1', 'sentence2'],
  ['question', 'sentence'],
  ['premise', 'hypothesis'],
  ['question1', 'question2'],
  ['text', 'text_pair'],
];

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
  if (!Number.isInteger(m) || m < 0)
    throw new DatasetError(where, undefined, `maxSamples must be a non-negative integer, got ${m}`);
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

/** The columns holding the text and, for sentence pairs, its second text (undefined when not found / single texts). */
export interface TextColumns {
  text: string | undefined;
  pair: string | undefined;
  /** What was looked for, for error messages. */
  lookedForText: string;
  lookedForPair: string | undefined;
}

/**
 * header / keys, options → the text and pair columns. textPairField given: that column is required (with its GLUE
 * partner as the text column when textField is not given and the data has it). Otherwise a
 * GLUE-style pair (TEXT_PAIR_CANDIDATES) whose both columns exist is taken (when textField is given, only a pair that
 * starts with it), else single texts from textField or TEXT_FIELD_CANDIDATES.
 */
export function pickTextColumns(available: readonly string[], options: ParseOptions): TextColumns {
  const lookedForText = options.textField ?? TEXT_FIELD_CANDIDATES.join(', ');
  if (options.textPairField !== undefined) {
    // Only the pair column named: its GLUE partner (hypothesis → premise) is the text when the data has it.
    const wanted = options.textPairField.toLowerCase();
    const partner = TEXT_PAIR_CANDIDATES.find(
      ([first, second]) => second === wanted && pickField(available, first, []) !== undefined,
    );
    const textField = options.textField ?? partner?.[0];
    const text = pickField(available, textField, TEXT_FIELD_CANDIDATES);
    const pair = pickField(available, options.textPairField, []);
    return { text, pair, lookedForText: textField ?? lookedForText, lookedForPair: options.textPairField };
  }
  for (const [first, second] of TEXT_PAIR_CANDIDATES) {
    if (options.textField !== undefined && options.textField.toLowerCase() !== first) continue;
    const text = pickField(available, first, []);
    const pair = pickField(available, second, []);
    if (text !== undefined && pair !== undefined) return { text, pair, lookedForText: first, lookedForPair: second };
  }
  return {
    text: pickField(available, options.textField, TEXT_FIELD_CANDIDATES),
    pair: undefined,
    lookedForText,
    lookedForPair: undefined,
  };
}
