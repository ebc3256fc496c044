// The byte-level BPE model: a pre-tokenized piece of text → its UTF-8 bytes → one symbol per byte (the vocab id of the
// byte's character) → merges applied lowest rank first (leftmost on a tie), as tokenizers' BPE does → ids. Results
// are cached per piece: natural text repeats the same words over and over.

import { BYTE_TO_CHAR, utf8Bytes } from './byte_level.js';
import type { Vocab } from './vocab.js';

/** Pieces cached before the cache is emptied: bounds memory on endless input. */
const CACHE_LIMIT = 1 << 17;

export interface BpeOptions {
  vocab: Vocab;
  /** merges[rank] = [left, right]: the pair becomes left + right, which must be in the vocab. */
  merges: ReadonlyArray<readonly [string, string]>;
  /** Id for a byte whose character is not in the vocab; undefined: such a byte is dropped (tokenizers). */
  unkId?: number;
  /** Names the merges' file in errors, e.g. "merges.txt" or "tokenizer.json: field model.merges". */
  mergesWhere: string;
}

export class BpeModel {
  /** byte → id of its table character, or -1. */
  private readonly byteIds = new Int32Array(256);
  /** (left id, right id) → merge rank; key left·vocabSize + right. */
  private readonly rankOf = new Map<number, number>();
  /** rank → id of the merged token. */
  private readonly mergedId: Int32Array;
  private readonly width: number;
  private readonly unkId: number | undefined;
  private readonly cache = new Map<string, number[]>();
  private readonly bytes: number[] = [];

  constructor(options: BpeOptions) {
    const { vocab, merges, mergesWhere } = options;
    this.width = vocab.tokens.length;
    this.unkId = options.unkId;
    for (let b = 0; b < 256; b++) this.byteIds[b] = vocab.ids.get(BYTE_TO_CHAR[b]!) ?? -1;
    this.mergedId = new Int32Array(merges.length);
    merges.forEach(([left, right], rank) => {
      const a = vocab.ids.get(left);
      const b = vocab.ids.get(right);
      const ab = vocab.ids.get(left + right);
      const missing = a === undefined ? left : b === undefined ? right : ab === undefined ? left + right : undefined;
      if (missing !== undefined) {
        throw new Error(
          `${mergesWhere}: merge ${rank + 1} ("${left} ${right}") uses ${JSON.stringify(missing)}, which is not in the vocabulary`,
        );
      }
      // A repeated merge keeps its later rank, as tokenizers' and transformers' merge tables do.
      this.rankOf.set(a! * this.width + b!, rank);
      this.mergedId[rank] = ab!;
    });
  }

  /** piece: one pre-tokenized piece of raw text, e.g. " world" → its ids appended to `out`. */
  encodePiece(piece: string, out: number[]): void {
    let ids = this.cache.get(piece);
    if (ids === undefined) {
      ids = this.merge(this.symbols(piece));
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(piece, ids);
    }
    for (let k = 0; k < ids.length; k++) out.push(ids[k]!);
  }

  /** piece → one id per UTF-8 byte (a byte the vocab lacks becomes the unk id, or is dropped without one). */
  private symbols(piece: string): number[] {
    const bytes = this.bytes;
    bytes.length = 0;
    utf8Bytes(piece, bytes);
    const symbols: number[] = [];
    for (const b of bytes) {
      const id = this.byteIds[b]!;
      if (id >= 0) symbols.push(id);
      else if (this.unkId !== undefined) symbols.push(this.unkId);
    }
    return symbols;
  }

  /**
   * symbols: [n] ids → merged in place: repeatedly the adjacent pair of lowest rank (the leftmost of equals) becomes
   * one symbol, until no pair has a merge. The same order as tokenizers' priority queue, which pops (rank, position).
   */
  private merge(symbols: number[]): number[] {
    const width = this.width;
    while (symbols.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.rankOf.get(symbols[i]! * width + symbols[i + 1]!);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      symbols[best] = this.mergedId[bestRank]!;
      symbols.splice(best + 1, 1);
    }
    return symbols;
  }
}
