// Added (and special) tokens found verbatim in raw text before the model sees it, as tokenizers' AddedVocabulary
// does: leftmost-longest matches, case-sensitive; `lstrip` / `rstrip` tokens also swallow the whitespace before /
// after them (RoBERTa's <mask> in transformers 4). Used by both tokenizer families.

/** A token matched verbatim in the raw text (case-sensitive) and mapped straight to its id. */
export interface AddedToken {
  content: string;
  id: number;
  /** Special tokens are dropped by `decode(ids, { skipSpecialTokens: true })`. */
  special: boolean;
  /** The match takes the whitespace before it (e.g. "a <mask>" → "a" + <mask>). Default false. */
  lstrip?: boolean;
  /** The match takes the whitespace after it. Default false. */
  rstrip?: boolean;
}

/** Rust's char::is_whitespace, which tokenizers uses for lstrip/rstrip (the Unicode White_Space property). */
const WHITESPACE = /\p{White_Space}/u;

function isWhitespaceAt(text: string, i: number): boolean {
  return WHITESPACE.test(text[i]!);
}

export class AddedTokenSplitter {
  /** Added tokens grouped by first UTF-16 unit, longest first (leftmost-longest matching). */
  private readonly byFirst = new Map<number, AddedToken[]>();
  private readonly firstUnits: number[];

  constructor(added: readonly AddedToken[]) {
    for (const token of added) {
      if (token.content.length === 0) continue;
      const first = token.content.charCodeAt(0);
      const list = this.byFirst.get(first) ?? [];
      list.push(token);
      list.sort((a, b) => b.content.length - a.content.length);
      this.byFirst.set(first, list);
    }
    this.firstUnits = [...this.byFirst.keys()];
  }

  get isEmpty(): boolean {
    return this.firstUnits.length === 0;
  }

  /** text → pieces: strings to tokenize, numbers for added tokens found in it (leftmost, then longest). */
  split(text: string): Array<string | number> {
    const parts: Array<string | number> = [];
    let segStart = 0;
    let i = this.nextCandidate(text, 0);
    while (i >= 0) {
      let match: AddedToken | undefined;
      for (const token of this.byFirst.get(text.charCodeAt(i))!) {
        if (text.startsWith(token.content, i)) {
          match = token;
          break;
        }
      }
      if (match) {
        let start = i;
        let end = i + match.content.length;
        // The whitespace a previous match already took stays with it (tokenizers: max(newstart, start_offset)).
        if (match.lstrip) while (start > segStart && isWhitespaceAt(text, start - 1)) start--;
        if (match.rstrip) while (end < text.length && isWhitespaceAt(text, end)) end++;
        if (start > segStart) parts.push(text.slice(segStart, start));
        parts.push(match.id);
        i = end;
        segStart = end;
      } else i++;
      i = this.nextCandidate(text, i);
    }
    if (segStart < text.length) parts.push(segStart === 0 ? text : text.slice(segStart));
    return parts;
  }

  /** Index of the next position ≥ from that starts with the first unit of some added token, or -1. */
  private nextCandidate(text: string, from: number): number {
    const units = this.firstUnits;
    if (units.length === 0 || from >= text.length) return -1;
    if (units.length === 1) return text.indexOf(String.fromCharCode(units[0]!), from);
    for (let i = from; i < text.length; i++) if (this.byFirst.has(text.charCodeAt(i))) return i;
    return -1;
  }
}
