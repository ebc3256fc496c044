// The hot path: raw text → content ids (no [CLS]/[SEP]). Added/special tokens are cut out first;
// the rest is scanned once. ASCII letters/digits, punctuation and whitespace are handled right here,
// with the ids of each word cached (natural text repeats the same words over and over); a chunk
// with anything else goes through basic.ts as a whole, cached per chunk.

import { AddedTokenSplitter, type AddedToken } from './added_tokens.js';
import { basicSplit, type BasicOptions } from './basic.js';
import { FNV_OFFSET, fnvStep, GenerationalChunkCache } from './chunk_cache.js';
import { charFlags, lowerPerChar, SEP, WHITE } from './unicode.js';
import { WordPiece } from './wordpiece.js';

/** Entries of the (rarely used) general-path cache before it is emptied: bounds memory. */
const CHUNK_CACHE_LIMIT = 1 << 16;

// Classes of ASCII characters for the fast scan.
const GENERAL = 0; // control character: needs cleaning, take the general path
const ALNUM = 1;
const PUNCT = 2;
const SPACE = 3;

export class Encoder {
  private readonly asciiClass = new Uint8Array(128);
  private readonly asciiPunctId = new Int32Array(128);
  /** ASCII letter/digit run, as written → its ids. */
  private readonly wordCache = new GenerationalChunkCache();
  /** Chunk that needed the general path → its ids. */
  private readonly chunkCache = new Map<string, number[]>();
  private readonly added: AddedTokenSplitter;
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
    this.added = new AddedTokenSplitter(added);
    this.resplitAfterLowercase =
      basic.flavour === 'python' &&
      basic.lowercase &&
      added.some((t) => t.content === lowerPerChar(t.content) && t.content !== t.content.toUpperCase());
  }

  /** text: raw string → content ids appended to `out`, e.g. "Hello [SEP] world" → [7592, 102, 2088]. */
  encodeInto(text: string, out: number[]): void {
    for (const part of this.added.split(text)) {
      if (typeof part === 'number') out.push(part);
      else if (this.resplitAfterLowercase) {
        // transformers lower-cases (special tokens excepted) before its trie looks for added tokens.
        for (const inner of this.added.split(lowerPerChar(part))) {
          if (typeof inner === 'number') out.push(inner);
          else this.encodeSegment(inner, out);
        }
      } else this.encodeSegment(part, out);
    }
  }

  /**
   * text: a segment with no added tokens → its ids appended to `out`.
   * ASCII words are looked up by a hash computed while scanning (no substring per word); a chunk
   * (text between separators) with any other character is redone as a whole by the general path,
   * because cleaning can join its words ("a\x00b") and NFC can merge across punctuation ("<\u0338").
   */
  private encodeSegment(text: string, out: number[]): void {
    const n = text.length;
    const cls = this.asciiClass;
    const punctId = this.asciiPunctId;
    const sepBit = this.basic.cleanText ? SEP : WHITE;
    let chunkStart = 0;
    let chunkMark = out.length;
    let i = 0;
    while (i < n) {
      let c = text.charCodeAt(i);
      const k = c < 128 ? cls[c] : GENERAL;
      if (k === ALNUM) {
        let hash = FNV_OFFSET;
        let j = i;
        do {
          hash = fnvStep(hash, c);
          if (++j === n) break;
          c = text.charCodeAt(j);
        } while (c < 128 && cls[c] === ALNUM);
        this.pushWord(text, i, j, hash, out);
        i = j;
      } else if (k === PUNCT) {
        out.push(punctId[c]!);
        i++;
      } else if (k === SPACE || (c >= 128 && charFlags(c) & sepBit)) {
        i++;
        chunkStart = i;
        chunkMark = out.length;
      } else {
        // A control or non-ASCII character: drop what this chunk produced and redo all of it.
        let end = i + 1;
        while (end < n) {
          c = text.charCodeAt(end);
          if (c < 128 ? cls[c] === SPACE : charFlags(c) & sepBit) break;
          end++;
        }
        out.length = chunkMark;
        this.pushGeneralChunk(text.slice(chunkStart, end), out);
        i = end;
        chunkStart = end;
        chunkMark = out.length;
      }
    }
  }

  /** text[start, end): an ASCII letter/digit run hashed as `hash` → its ids appended to `out`. */
  private pushWord(text: string, start: number, end: number, hash: number, out: number[]): void {
    let ids = this.wordCache.find(hash, text, start, end);
    if (ids === undefined) {
      const raw = text.slice(start, end);
      ids = [];
      this.wordpiece.encodeWord(this.basic.lowercase ? raw.toLowerCase() : raw, ids);
      this.wordCache.insert(hash, raw, ids);
    }
    for (let k = 0; k < ids.length; k++) out.push(ids[k]!);
  }

  /** chunk: separator-free text with non-ASCII or control characters → its ids appended to `out`. */
  private pushGeneralChunk(chunk: string, out: number[]): void {
    let ids = this.chunkCache.get(chunk);
    if (ids === undefined) {
      ids = [];
      for (const word of basicSplit(chunk, this.basic)) this.wordpiece.encodeWord(word, ids);
      if (this.chunkCache.size >= CHUNK_CACHE_LIMIT) this.chunkCache.clear();
      this.chunkCache.set(chunk, ids);
    }
    for (let k = 0; k < ids.length; k++) out.push(ids[k]!);
  }
}
