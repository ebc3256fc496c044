// The hot path: raw text → content ids (no [CLS]/[SEP]). Added/special tokens are cut out first;
// the rest is scanned once, chunk by whitespace-separated chunk. The ids of each chunk are cached
// (natural text repeats the same words over and over); on a miss, plain ASCII chunks are split on
// punctuation right here and anything else goes through basic.ts.

import { basicSplit, type BasicOptions } from './basic.js';
import { ChunkCache, FNV_OFFSET, fnvStep } from './chunk_cache.js';
import { charFlags, lowerPerChar, SEP, WHITE } from './unicode.js';
import { WordPiece } from './wordpiece.js';

/** A token matched verbatim in the raw text (case-sensitive) and mapped straight to its id. */
export interface AddedToken {
  content: string;
  id: number;
  /** Special tokens are dropped by `decode(ids, { skipSpecialTokens: true })`. */
  special: boolean;
}

// Classes of ASCII characters for the fast scan.
const GENERAL = 0; // control character: needs cleaning, take the general path
const ALNUM = 1;
const PUNCT = 2;
const SPACE = 3;

export class Encoder {
  private readonly asciiClass = new Uint8Array(128);
  private readonly asciiPunctId = new Int32Array(128);
  /** Raw chunk (text between separators) → its ids. */
  private readonly cache = new ChunkCache();
  /** Added tokens grouped by first UTF-16 unit, longest first (leftmost-longest matching). */
  private readonly addedByFirst = new Map<number, AddedToken[]>();
  private readonly addedFirstUnits: number[];
  /** Python flavour only: an added token that lower-casing could produce must be looked for again afterwards. */
  private readonly resplitAfterLowercase: boolean;

  constructor(
    private readonly basic: BasicOptions,
    private readonly wordpiece: WordPiece,
    added: readonly AddedToken[],
  ) {
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      if (/[A-Za-z0-9]/.test(ch)) this.asciiClass[c] = ALNUM;
      else if (c > 32 && c < 127) {
        this.asciiClass[c] = PUNCT;
        const ids: number[] = [];
        wordpiece.encodeWord(ch, ids);
        this.asciiPunctId[c] = ids[0]!;
      } else if (charFlags(c) & (basic.cleanText ? SEP : WHITE)) this.asciiClass[c] = SPACE;
      else this.asciiClass[c] = GENERAL;
    }
    for (const token of added) {
      if (token.content.length === 0) continue;
      const first = token.content.charCodeAt(0);
      const list = this.addedByFirst.get(first) ?? [];
      list.push(token);
      list.sort((a, b) => b.content.length - a.content.length);
      this.addedByFirst.set(first, list);
    }
    this.addedFirstUnits = [...this.addedByFirst.keys()];
    this.resplitAfterLowercase =
      basic.flavour === 'python' &&
      basic.lowercase &&
      added.some((t) => t.content === lowerPerChar(t.content) && t.content !== t.content.toUpperCase());
  }

  /** text: raw string → content ids appended to `out`, e.g. "Hello [SEP] world" → [7592, 102, 2088]. */
  encodeInto(text: string, out: number[]): void {
    for (const part of this.splitAdded(text)) {
      if (typeof part === 'number') out.push(part);
      else if (this.resplitAfterLowercase) {
        // transformers lower-cases (special tokens excepted) before its trie looks for added tokens.
        for (const inner of this.splitAdded(lowerPerChar(part))) {
          if (typeof inner === 'number') out.push(inner);
          else this.encodeSegment(inner, out);
        }
      } else this.encodeSegment(part, out);
    }
  }

  /** text → pieces: strings to tokenize, numbers for added tokens found in it (leftmost, then longest). */
  private splitAdded(text: string): Array<string | number> {
    const parts: Array<string | number> = [];
    let segStart = 0;
    let i = this.nextCandidate(text, 0);
    while (i >= 0) {
      let match: AddedToken | undefined;
      for (const token of this.addedByFirst.get(text.charCodeAt(i))!) {
        if (text.startsWith(token.content, i)) {
          match = token;
          break;
        }
      }
      if (match) {
        if (i > segStart) parts.push(text.slice(segStart, i));
        parts.push(match.id);
        i += match.content.length;
        segStart = i;
      } else i++;
      i = this.nextCandidate(text, i);
    }
    if (segStart < text.length) parts.push(segStart === 0 ? text : text.slice(segStart));
    return parts;
  }

  /** Index of the next position ≥ from that starts with the first unit of some added token, or -1. */
  private nextCandidate(text: string, from: number): number {
    const units = this.addedFirstUnits;
    if (units.length === 0 || from >= text.length) return -1;
    if (units.length === 1) return text.indexOf(String.fromCharCode(units[0]!), from);
    for (let i = from; i < text.length; i++) if (this.addedByFirst.has(text.charCodeAt(i))) return i;
    return -1;
  }

  /** text: a segment with no added tokens → its ids appended to `out`. */
  private encodeSegment(text: string, out: number[]): void {
    const n = text.length;
    const cls = this.asciiClass;
    const sepBit = this.basic.cleanText ? SEP : WHITE;
    const cache = this.cache;
    let i = 0;
    while (i < n) {
      let c = text.charCodeAt(i);
      if (c < 128 ? cls[c] === SPACE : charFlags(c) & sepBit) {
        i++;
        continue;
      }
      // Find the chunk's end (next separator), hash it, and see whether it is plain ASCII.
      let j = i;
      let plain = true;
      let hash = FNV_OFFSET;
      for (; j < n; j++) {
        c = text.charCodeAt(j);
        if (c < 128) {
          const k = cls[c];
          if (k === SPACE) break;
          if (k === GENERAL) plain = false;
        } else {
          // Surrogate units are never separators (no astral character is whitespace).
          if (charFlags(c) & sepBit) break;
          plain = false;
        }
        hash = fnvStep(hash, c);
      }
      let ids = cache.find(hash, text, i, j);
      if (ids === undefined) {
        ids = plain ? this.asciiChunkIds(text, i, j) : this.generalChunkIds(text.slice(i, j));
        cache.insert(hash, text.slice(i, j), ids);
      }
      for (let k = 0; k < ids.length; k++) out.push(ids[k]!);
      i = j;
    }
  }

  /** text[start, end): letters, digits and ASCII punctuation only → ids. */
  private asciiChunkIds(text: string, start: number, end: number): number[] {
    const cls = this.asciiClass;
    const ids: number[] = [];
    let runStart = start;
    for (let i = start; i <= end; i++) {
      const c = i < end ? text.charCodeAt(i) : -1;
      if (c >= 0 && cls[c] === ALNUM) continue;
      if (i > runStart) {
        const raw = text.slice(runStart, i);
        this.wordpiece.encodeWord(this.basic.lowercase ? raw.toLowerCase() : raw, ids);
      }
      if (c >= 0) ids.push(this.asciiPunctId[c]!);
      runStart = i + 1;
    }
    return ids;
  }

  /** chunk: separator-free text with non-ASCII or control characters → ids. */
  private generalChunkIds(chunk: string): number[] {
    const ids: number[] = [];
    for (const word of basicSplit(chunk, this.basic)) this.wordpiece.encodeWord(word, ids);
    return ids;
  }
}
