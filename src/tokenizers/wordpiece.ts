// Greedy longest-match-first WordPiece, as in transformers' WordpieceTokenizer and tokenizers'
// WordPiece model: a word is either fully covered by vocabulary pieces or becomes one [UNK].

export interface WordPieceOptions {
  /** token → id, the whole vocabulary (special tokens included). */
  vocab: Map<string, number>;
  unkId: number;
  /** Marks a piece that continues a word, `##` for BERT. */
  continuingSubwordPrefix: string;
  /** Longer words (in code points, after normalisation) become [UNK]; BERT uses 100. */
  maxInputCharsPerWord: number;
}

export class WordPiece {
  private readonly vocab: Map<string, number>;
  /** Continuation pieces keyed without their prefix, so the hot loop never builds `"##" + s`. */
  private readonly continuation = new Map<string, number>();
  private readonly unkId: number;
  private readonly maxChars: number;
  /** Longest key (UTF-16 units) of each map: longer substrings cannot match, so are never tried. */
  private readonly maxWholeLen: number;
  private readonly maxContLen: number;

  constructor(opts: WordPieceOptions) {
    this.vocab = opts.vocab;
    this.unkId = opts.unkId;
    this.maxChars = opts.maxInputCharsPerWord;
    const prefix = opts.continuingSubwordPrefix;
    let maxWhole = 0;
    let maxCont = 0;
    for (const [token, id] of opts.vocab) {
      maxWhole = Math.max(maxWhole, token.length);
      if (token.startsWith(prefix)) {
        const rest = token.slice(prefix.length);
        // A duplicate vocab line keeps the later id, as in both references.
        this.continuation.set(rest, id);
        maxCont = Math.max(maxCont, rest.length);
      }
    }
    this.maxWholeLen = maxWhole;
    this.maxContLen = maxCont;
  }

  /** word: one normalised word (non-empty) → its piece ids appended to `out` (ids: [n_pieces]). */
  encodeWord(word: string, out: number[]): void {
    const len = word.length;
    if (len > this.maxChars && codePointLength(word) > this.maxChars) {
      out.push(this.unkId);
      return;
    }
    const mark = out.length;
    let start = 0;
    while (start < len) {
      const map = start === 0 ? this.vocab : this.continuation;
      let end = Math.min(len, start + (start === 0 ? this.maxWholeLen : this.maxContLen));
      let id = -1;
      for (; end > start; end--) {
        // Never cut between the halves of a surrogate pair: Python slices code points.
        if (end < len && isLowSurrogate(word.charCodeAt(end)) && isHighSurrogate(word.charCodeAt(end - 1))) continue;
        const found = map.get(end - start === len ? word : word.slice(start, end));
        if (found !== undefined) {
          id = found;
          break;
        }
      }
      if (id < 0) {
        out.length = mark;
        out.push(this.unkId);
        return;
      }
      out.push(id);
      start = end;
    }
  }
}

/** s → its length in code points (a surrogate pair counts once), as Python's `len` and Rust's `chars().count()`. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    if (isHighSurrogate(s.charCodeAt(i)) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      n--;
      i++;
    }
  }
  return n;
}

function isHighSurrogate(u: number): boolean {
  return u >= 0xd800 && u <= 0xdbff;
}

function isLowSurrogate(u: number): boolean {
  return u >= 0xdc00 && u <= 0xdfff;
}
