// BERT's "basic tokenizer" for one chunk of text: cleaning, CJK splitting, lower-casing, accent
// stripping and punctuation splitting, in the order each reference implementation uses.
// This is the general (and slow) path: the encoder sends only chunks with non-ASCII or control
// characters here, and caches the result per chunk.

import {
  charFlags,
  DELETE,
  DELETE_RUST,
  isCjk,
  lowerPerChar,
  PUNCT,
  SEP,
  stripAccents,
  WHITE,
  type CjkRanges,
} from './unicode.js';

/**
 * Which implementation to mirror. They differ in order only where it can matter:
 * - 'python' (transformers BertTokenizer, vocab.txt): per-char lowercase of the raw text, clean,
 *   CJK split, NFC, lowercase, then NFD + strip Mn;
 * - 'rust' (tokenizers BertNormalizer, tokenizer.json): clean, CJK split, NFD + strip Mn, then
 *   per-char lowercase.
 */
export type Flavour = 'python' | 'rust';

export interface BasicOptions {
  flavour: Flavour;
  /** Delete control/format characters and turn whitespace into spaces (always on in Python). */
  cleanText: boolean;
  /** Pad CJK ideographs with spaces so each is its own word. */
  handleChineseChars: boolean;
  lowercase: boolean;
  /** Already resolved: `strip_accents ?? lowercase`. */
  stripAccents: boolean;
}

/** The CJK table each flavour uses (see unicode.ts `isCjk`). */
export function cjkRangesOf(flavour: Flavour): CjkRanges {
  return flavour;
}

/**
 * chunk: raw text with no word separators → the words WordPiece sees, e.g. `"Café!"` → `["cafe", "!"]`.
 * In the python flavour `chunk` may already be lower-cased per character (done again here: idempotent).
 */
export function basicSplit(chunk: string, opts: BasicOptions): string[] {
  const ranges = cjkRangesOf(opts.flavour);
  const words: string[] = [];
  const deleteBit = opts.flavour === 'python' ? DELETE : DELETE_RUST;
  let piece = '';
  // Cleaning and CJK padding both act on raw code points, before any normalisation.
  for (const ch of chunk) {
    const cp = ch.codePointAt(0)!;
    const flags = charFlags(cp);
    if (opts.cleanText && flags & deleteBit) continue;
    if (flags & (opts.cleanText ? SEP : WHITE)) {
      normalizeInto(piece, opts, words);
      piece = '';
    } else if (opts.handleChineseChars && isCjk(cp, ranges)) {
      normalizeInto(piece, opts, words);
      normalizeInto(ch, opts, words);
      piece = '';
    } else {
      piece += ch;
    }
  }
  normalizeInto(piece, opts, words);
  return words;
}

/** piece: one whitespace-free piece → normalised, then split on punctuation, appended to `words`. */
function normalizeInto(piece: string, opts: BasicOptions, words: string[]): void {
  if (piece.length === 0) return;
  let text = piece;
  if (opts.flavour === 'python') {
    // transformers: PreTrainedTokenizer.tokenize lower-cases per char, BasicTokenizer applies NFC
    // to the whole text, then `token.lower()` and `_run_strip_accents` (NFD, drop Mn) per word.
    if (opts.lowercase) text = lowerPerChar(text);
    text = text.normalize('NFC');
    if (opts.lowercase) text = text.toLowerCase();
    if (opts.stripAccents) text = stripAccents(text);
  } else {
    // tokenizers: BertNormalizer strips accents first, then maps each char to its lowercase.
    if (opts.stripAccents) text = stripAccents(text);
    if (opts.lowercase) text = lowerPerChar(text);
  }
  splitOnPunctuation(text, words);
}

/** text: normalised piece → words, each punctuation character on its own; whitespace separates too. */
function splitOnPunctuation(text: string, words: string[]): void {
  let word = '';
  for (const ch of text) {
    const flags = charFlags(ch.codePointAt(0)!);
    // Normalisation cannot create whitespace from a non-space in practice, but Python re-splits
    // on whitespace at the end (`whitespace_tokenize(" ".join(...))`), so honour it if it does.
    if (flags & (SEP | WHITE)) {
      if (word) words.push(word);
      word = '';
    } else if (flags & PUNCT) {
      if (word) words.push(word);
      words.push(ch);
      word = '';
    } else {
      word += ch;
    }
  }
  if (word) words.push(word);
}
