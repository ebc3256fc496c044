// Character classes of BERT's basic tokenizer, answered from a table instead of a regex per
// character: the hot path asks about every character of every review.
//
// The classes follow the two reference implementations:
// - Python `transformers` BasicTokenizer (`_is_control`, `_is_whitespace`, `_is_punctuation`,
//   `_is_chinese_char`) — the vocab.txt ("slow") path;
// - Rust `tokenizers` BertNormalizer + BertPreTokenizer — the tokenizer.json ("fast") path.
// Both agree except on the CJK ranges (see `isCjk`). JS's `\p{..}` tables are the Unicode version
// of the running engine; the golden tests check that they give the same answers on every case.

/** Splits words once text is cleaned: `\t \n \r` and space, category Zs, U+2028 and U+2029. */
export const SEP = 1;
/** Unicode White_Space: what splits words when cleaning is off (Rust `char::is_whitespace`). */
export const WHITE = 2;
/** Deleted by Python's cleaning: categories Cc Cf Cs Co Cn except `\t \n \r`, plus U+0000 and U+FFFD. */
export const DELETE = 4;
/**
 * Deleted by Rust's cleaning: the same but without Cn. tokenizers' `is_control` is
 * unicode_categories' `is_other()`, which is only Cc | Cf | Co, so an unassigned code point stays in
 * its word (and makes it [UNK]) on the fast path, while the slow path deletes it. Cs is kept here
 * because a Rust string cannot hold a lone surrogate at all.
 */
export const DELETE_RUST = 16;
/** Split off as its own word: ASCII punctuation or any category P character. */
export const PUNCT = 8;

// Python's str.split() also splits on U+2028/U+2029 (Zl/Zp), which cleaning keeps; Rust's cleaning
// turns them into spaces. Either way they separate words, so both count as SEP.
const SEP_RE = /^[\t\n\r \u2028\u2029\p{Zs}]$/u;
const WHITE_RE = /^\p{White_Space}$/u;
const DELETE_RE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\uFFFD]$/u;
const DELETE_RUST_RE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\uFFFD]$/u;
const PUNCT_RE = /^\p{P}$/u;

/** cp: a code point → bit set of SEP | WHITE | DELETE | PUNCT. */
function classify(cp: number): number {
  const ch = String.fromCodePoint(cp);
  let flags = 0;
  if (SEP_RE.test(ch)) flags |= SEP;
  if (WHITE_RE.test(ch)) flags |= WHITE;
  // \t \n \r are Cc but BERT treats them as whitespace, never deletes them.
  if (cp !== 9 && cp !== 10 && cp !== 13) {
    if (DELETE_RE.test(ch)) flags |= DELETE;
    if (DELETE_RUST_RE.test(ch)) flags |= DELETE_RUST;
  }
  // Python's _is_punctuation counts all of ASCII 33–47, 58–64, 91–96, 123–126 as punctuation,
  // including symbols such as $ + < = > ^ ` | ~ that Unicode files under S.
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
    flags |= PUNCT;
  } else if (PUNCT_RE.test(ch)) {
    flags |= PUNCT;
  }
  return flags;
}

let bmpFlags: Uint8Array | undefined;
const astralFlags = new Map<number, number>();

/** Built once, lazily: 64 KiB, about 30 ms. Surrogate code units are marked deleted (category Cs). */
function bmpTable(): Uint8Array {
  if (bmpFlags) return bmpFlags;
  const table = new Uint8Array(0x10000);
  for (let cp = 0; cp < 0x10000; cp++) {
    table[cp] = cp >= 0xd800 && cp <= 0xdfff ? DELETE | DELETE_RUST : classify(cp);
  }
  bmpFlags = table;
  return table;
}

/** cp: a code point (or a lone surrogate code unit) → its SEP | WHITE | DELETE | DELETE_RUST | PUNCT bits. */
export function charFlags(cp: number): number {
  if (cp < 0x10000) return bmpTable()[cp]!;
  let flags = astralFlags.get(cp);
  if (flags === undefined) {
    flags = classify(cp);
    astralFlags.set(cp, flags);
  }
  return flags;
}

/** Which table of CJK ideograph ranges to use: Python's `_is_chinese_char` or Rust's `is_chinese_char`. */
export type CjkRanges = 'python' | 'rust';

/**
 * cp: a code point → whether BERT pads it with spaces as a "Chinese character".
 * The one known difference between the implementations: Python's range for CJK Extension E starts
 * at U+2B820, Rust `tokenizers` starts at U+2B920, so U+2B820–U+2B91F are split by the slow
 * tokenizer and left inside their word by the fast one (golden: "𫠠𫡀" → 2 vs 1 [UNK]).
 * Hiragana, katakana and Hangul are not in either table.
 */
export function isCjk(cp: number, ranges: CjkRanges): boolean {
  if (cp < 0x3400) return false;
  if (cp <= 0x4dbf) return true;
  if (cp >= 0x4e00 && cp <= 0x9fff) return true;
  if (cp >= 0xf900 && cp <= 0xfaff) return true;
  if (cp < 0x20000) return false;
  if (cp <= 0x2a6df) return true;
  if (cp >= 0x2a700 && cp <= 0x2b81f) return true;
  if (cp >= (ranges === 'python' ? 0x2b820 : 0x2b920) && cp <= 0x2ceaf) return true;
  return cp >= 0x2f800 && cp <= 0x2fa1f;
}

const lowerCache = new Map<number, string>();

/**
 * s: text → lower-cased one character at a time, with full (not simple) mappings: `İ` → `i̇`.
 * HF's slow tokenizer lower-cases with a per-character regex and Rust maps each char on its own,
 * so neither applies the Final_Sigma rule: `ΟΔΟΣ` → `οδοσ`. JS's String#toLowerCase is the same
 * full, locale-free mapping except for that one context rule, so only text with Σ goes char by char.
 */
export function lowerPerChar(s: string): string {
  if (s.indexOf('\u03a3') < 0) return s.toLowerCase();
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    let low = lowerCache.get(cp);
    if (low === undefined) {
      low = ch.toLowerCase();
      lowerCache.set(cp, low);
    }
    out += low;
  }
  return out;
}

const NONSPACING_MARK = /\p{Mn}/gu;

/**
 * s: text → canonical decomposition (NFD) with every nonspacing mark (Mn) removed.
 * This is BERT's "strip accents"; it also drops Indic vowel signs, kana (han)dakuten, U+FE0F and
 * U+0338 (`≠` → `=`), and splits Hangul syllables into jamo. No compatibility (NFKD) folding.
 */
export function stripAccents(s: string): string {
  return s.normalize('NFD').replace(NONSPACING_MARK, '');
}
