// A small WordPiece vocabulary built from the demo corpus at run time, so the demo model directory is an
// ordinary HF-style directory (vocab.txt + tokenizer_config.json) without shipping the 30k-entry BERT vocab.
// Layout: the five BERT special tokens ([PAD] = 0, as DistilBERT's pad_token_id expects), then every
// character seen as a word start and as a "##" continuation (so an unseen word still splits into
// pieces instead of becoming [UNK]), then the corpus's whole words, most frequent first.

import { basicSplit, type BasicOptions } from '../tokenizers/basic.js';

export const DEMO_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** texts → vocab.txt lines. Words are split as BERT's basic tokenizer splits them (lower case, punctuation apart). */
export function buildDemoVocab(texts: readonly string[], options: { minCount?: number } = {}): string[] {
  const minCount = options.minCount ?? 1;
  const counts = new Map<string, number>();
  const chars = new Set<string>();
  for (const text of texts) {
    for (const word of basicWords(text)) {
      counts.set(word, (counts.get(word) ?? 0) + 1);
      for (const ch of word) chars.add(ch);
    }
  }
  // a–z, 0–9 and common punctuation always, so names and numbers outside the corpus still tokenize.
  for (const ch of 'abcdefghijklmnopqrstuvwxyz0123456789!?\'"-:;()') chars.add(ch);
  const charList = [...chars].sort();
  const words = [...counts]
    .filter(([w, n]) => n >= minCount && [...w].length > 1)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([w]) => w);
  return [...DEMO_SPECIAL_TOKENS, ...charList, ...charList.map((c) => `##${c}`), ...words];
}

// What BertTokenizer (vocab.txt, do_lower_case) does before WordPiece.
const BASIC: BasicOptions = {
  flavour: 'python',
  cleanText: true,
  handleChineseChars: true,
  lowercase: true,
  stripAccents: true,
};

/** text → the words WordPiece will see ("Not bad!" → ["not", "bad", "!"]). */
function basicWords(text: string): string[] {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((chunk) => basicSplit(chunk, BASIC));
}
