// GPT-2's byte-level pieces, shared by RoBERTa: the byte ↔ printable-character table (every UTF-8 byte gets a visible
// character, so BPE tokens are ordinary strings: a space is "Ġ", a newline "Ċ"), the pre-tokenizer's regex, UTF-8
// bytes of a piece of text, and the byte-level decoder.

/** byte → its character in GPT-2's table: printable Latin-1 bytes stand for themselves, the rest for U+0100 upwards. */
export const BYTE_TO_CHAR: readonly string[] = buildByteTable();
/** code point of a table character → its byte (the inverse of BYTE_TO_CHAR). */
const CHAR_TO_BYTE = new Map<number, number>(BYTE_TO_CHAR.map((c, b) => [c.codePointAt(0)!, b]));

function buildByteTable(): string[] {
  const table: string[] = new Array(256);
  const printable = (b: number): boolean =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable(b) ? b : 256 + next++);
  return table;
}

/**
 * GPT-2's pre-tokenizer pattern, as tokenizers' ByteLevel runs it with Oniguruma: contractions, an optional space and
 * a run of letters / digits / other symbols, then whitespace (a run before a non-space leaves its last space for the
 * next word). Oniguruma's \s is Unicode White_Space (JS's \s differs: it adds U+FEFF and lacks U+0085), so it is
 * spelled out.
 */
export const GPT2_PATTERN =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;

/** text → the pieces GPT2_PATTERN matches, in order (they cover the whole text). */
export function splitGpt2(text: string): string[] {
  return text.match(GPT2_PATTERN) ?? [];
}

/** piece → its UTF-8 bytes appended to `out` (a lone surrogate becomes U+FFFD, as a Rust string would hold it). */
export function utf8Bytes(piece: string, out: number[]): void {
  for (let i = 0; i < piece.length; i++) {
    let c = piece.charCodeAt(i);
    if (c < 0x80) {
      out.push(c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = piece.charCodeAt(i + 1);
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
        continue;
      }
      c = 0xfffd;
    }
    if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
}

const utf8Lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * tokens → text, as tokenizers' ByteLevel decoder: each token's characters back to bytes (a token holding any character
 * outside the table, such as an added token, contributes its own UTF-8 bytes), then one lossy UTF-8 decode of the
 * whole (an invalid or cut sequence becomes U+FFFD, like Rust's from_utf8_lossy).
 */
export function byteLevelDecode(tokens: readonly string[]): string {
  const bytes: number[] = [];
  for (const token of tokens) {
    const mark = bytes.length;
    let inTable = true;
    for (const ch of token) {
      const b = CHAR_TO_BYTE.get(ch.codePointAt(0)!);
      if (b === undefined) {
        inTable = false;
        break;
      }
      bytes.push(b);
    }
    if (!inTable) {
      bytes.length = mark;
      utf8Bytes(token, bytes);
    }
  }
  return utf8Lossy.decode(Uint8Array.from(bytes));
}
