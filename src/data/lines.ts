// Line splitting for line-oriented data files: on "\n" only (IMDb reviews contain U+0085, which must stay text),
// a trailing "\r" dropped, blank lines skipped, 1-based line numbers kept for error messages.

export interface NumberedLine {
  text: string;
  line: number;
}

/** text → its non-blank lines, at most `limit` of them. */
export function nonBlankLines(text: string, limit: number): NumberedLine[] {
  const out: NumberedLine[] = [];
  let start = 0;
  // Bounded by the text length: each pass moves `start` past one "\n".
  for (let line = 1; start <= text.length && out.length < limit; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let s = text.slice(start, end);
    start = end + 1;
    if (s.endsWith('\r')) s = s.slice(0, -1);
    if (s.trim() !== '') out.push({ text: s, line });
  }
  return out;
}
