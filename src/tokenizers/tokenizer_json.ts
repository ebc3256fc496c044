// Reading a Hugging Face tokenizer.json (the `tokenizers` library's format) for a BERT WordPiece
// tokenizer. Only the parts BERT uses are accepted; anything else is an error naming the field.

import { isObject, parseJsonObject, type Vocab } from './vocab.js';

export interface AddedTokenSpec {
  id: number;
  content: string;
  special: boolean;
  normalized: boolean;
}

export interface TokenizerJsonSpec {
  vocab: Vocab;
  unkToken: string;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
  normalizer: { cleanText: boolean; handleChineseChars: boolean; stripAccents: boolean | null; lowercase: boolean } | null;
  addedTokens: AddedTokenSpec[];
  /** The single-sequence template: ids before and after the text (empty when there is no post-processor). */
  prefixIds: number[];
  suffixIds: number[];
  /** WordPiece decoder settings; null when the file has no decoder (tokens are joined with spaces). */
  decoder: { prefix: string; cleanup: boolean } | null;
  /** The parsed file, kept so that saving can write it back in the library's own layout. */
  raw: Record<string, unknown>;
}

/** text: tokenizer.json contents → TokenizerJsonSpec; `where` names the file in errors. */
export function parseTokenizerJson(text: string, where: string): TokenizerJsonSpec {
  const raw = parseJsonObject(text, where);
  const fail = (field: string, problem: string): never => {
    throw new Error(`${where}: field "${field}" ${problem}`);
  };

  const model = raw.model;
  if (!isObject(model)) fail('model', 'must be an object');
  const m = model as Record<string, unknown>;
  // Older files (like distilbert-base-uncased's) omit model.type; tokenizers then infers the model
  // from its fields, and a WordPiece model is the one with a vocab object and no merges.
  if (m.type !== undefined && m.type !== 'WordPiece') {
    fail('model.type', `is ${JSON.stringify(m.type)}; only "WordPiece" (BERT) models are supported`);
  }
  if (m.type === undefined && m.merges !== undefined) fail('model', 'looks like a BPE model (it has "merges"); only WordPiece is supported');
  if (!isObject(m.vocab)) fail('model.vocab', 'must be an object mapping token → id');
  const vocab = vocabFromObject(m.vocab as Record<string, unknown>, (f, p) => fail(`model.vocab${f}`, p));

  const str = (v: unknown, field: string, fallback: string): string =>
    v === undefined ? fallback : typeof v === 'string' ? v : fail(field, 'must be a string');
  const unkToken = str(m.unk_token, 'model.unk_token', '[UNK]');
  const continuingSubwordPrefix = str(m.continuing_subword_prefix, 'model.continuing_subword_prefix', '##');
  const maxChars = m.max_input_chars_per_word ?? 100;
  if (typeof maxChars !== 'number' || !Number.isInteger(maxChars) || maxChars < 0) {
    fail('model.max_input_chars_per_word', 'must be a non-negative integer');
  }

  // BertPreTokenizer splits on whitespace and punctuation; without it WordPiece would see whole texts.
  const pre = raw.pre_tokenizer;
  if (!isObject(pre) || pre.type !== 'BertPreTokenizer') {
    fail('pre_tokenizer', `must be {"type": "BertPreTokenizer"}, got ${JSON.stringify(pre ?? null)}`);
  }

  const addedTokens = parseAddedTokens(raw.added_tokens, vocab, fail);
  const { prefixIds, suffixIds } = parsePostProcessor(raw.post_processor, vocab, fail);
  return {
    vocab,
    unkToken,
    continuingSubwordPrefix,
    maxInputCharsPerWord: maxChars as number,
    normalizer: parseNormalizer(raw.normalizer, fail),
    addedTokens,
    prefixIds,
    suffixIds,
    decoder: parseDecoder(raw.decoder, fail),
    raw,
  };
}

type Fail = (field: string, problem: string) => never;

/** vocab object {token: id} → Vocab; ids must be distinct integers 0..n-1 (holes are an error). */
function vocabFromObject(obj: Record<string, unknown>, fail: Fail): Vocab {
  const ids = new Map<string, number>();
  const tokens: string[] = [];
  for (const [token, id] of Object.entries(obj)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) fail(`[${JSON.stringify(token)}]`, 'must be a non-negative integer id');
    if (tokens[id as number] !== undefined) fail(`[${JSON.stringify(token)}]`, `reuses id ${id} (already "${tokens[id as number]}")`);
    tokens[id as number] = token;
    ids.set(token, id as number);
  }
  if (ids.size === 0) fail('', 'is empty');
  for (let i = 0; i < tokens.length; i++) if (tokens[i] === undefined) fail('', `has no token with id ${i} (ids must be 0..${tokens.length - 1})`);
  return { tokens, ids };
}

function parseAddedTokens(value: unknown, vocab: Vocab, fail: Fail): AddedTokenSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return fail('added_tokens', 'must be an array');
  return value.map((entry, i) => {
    const f = `added_tokens[${i}]`;
    if (!isObject(entry)) fail(f, 'must be an object');
    const e = entry as Record<string, unknown>;
    if (typeof e.id !== 'number' || !Number.isInteger(e.id) || e.id < 0) fail(`${f}.id`, 'must be a non-negative integer');
    if (typeof e.content !== 'string' || e.content.length === 0) fail(`${f}.content`, 'must be a non-empty string');
    const id = e.id as number;
    const content = e.content as string;
    if (vocab.tokens[id] !== content) {
      // tokenizers would append such a token after the vocab; BERT files never do, so refuse clearly.
      fail(`${f}`, `("${content}", id ${id}) does not match model.vocab (id ${id} is ${JSON.stringify(vocab.tokens[id] ?? null)})`);
    }
    if (e.normalized === true) {
      // Would be matched on normalised text; BERT's special tokens are all matched on raw text.
      fail(`${f}.normalized`, 'is true; only added tokens matched on raw text (normalized: false) are supported');
    }
    return { id, content, special: e.special === true, normalized: false };
  });
}

function parseNormalizer(value: unknown, fail: Fail): TokenizerJsonSpec['normalizer'] {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) return fail('normalizer', 'must be an object or null');
  if (value.type !== 'BertNormalizer') fail('normalizer.type', `is ${JSON.stringify(value.type)}; only "BertNormalizer" is supported`);
  const flag = (key: string, fallback: boolean): boolean => {
    const v = value[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') fail(`normalizer.${key}`, 'must be true or false');
    return v as boolean;
  };
  const strip = value.strip_accents;
  if (strip !== undefined && strip !== null && typeof strip !== 'boolean') fail('normalizer.strip_accents', 'must be true, false or null');
  return {
    cleanText: flag('clean_text', true),
    handleChineseChars: flag('handle_chinese_chars', true),
    stripAccents: (strip as boolean | null | undefined) ?? null,
    lowercase: flag('lowercase', true),
  };
}

/** post_processor → the ids around a single sequence: TemplateProcessing or BertProcessing. */
function parsePostProcessor(value: unknown, vocab: Vocab, fail: Fail): { prefixIds: number[]; suffixIds: number[] } {
  if (value === undefined || value === null) return { prefixIds: [], suffixIds: [] };
  if (!isObject(value)) return fail('post_processor', 'must be an object or null');
  if (value.type === 'BertProcessing') {
    const pair = (key: 'cls' | 'sep'): number => {
      const p = value[key];
      if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'number') fail(`post_processor.${key}`, 'must be ["token", id]');
      return (p as [string, number])[1];
    };
    return { prefixIds: [pair('cls')], suffixIds: [pair('sep')] };
  }
  if (value.type !== 'TemplateProcessing') {
    fail('post_processor.type', `is ${JSON.stringify(value.type)}; only "TemplateProcessing" and "BertProcessing" are supported`);
  }
  const specials = isObject(value.special_tokens) ? value.special_tokens : {};
  if (!Array.isArray(value.single)) fail('post_processor.single', 'must be an array');
  const prefixIds: number[] = [];
  const suffixIds: number[] = [];
  let seenSequence = false;
  (value.single as unknown[]).forEach((item, i) => {
    const f = `post_processor.single[${i}]`;
    if (isObject(item) && isObject(item.Sequence)) {
      if (seenSequence) fail(f, 'is a second Sequence in a single-sequence template');
      seenSequence = true;
    } else if (isObject(item) && isObject(item.SpecialToken) && typeof item.SpecialToken.id === 'string') {
      const name = item.SpecialToken.id;
      const entry = specials[name];
      const ids = isObject(entry) && Array.isArray(entry.ids) ? (entry.ids as unknown[]) : undefined;
      if (!ids || !ids.every((x) => typeof x === 'number' && vocab.tokens[x] !== undefined)) {
        fail(`post_processor.special_tokens[${JSON.stringify(name)}].ids`, 'must list ids present in model.vocab');
      }
      (seenSequence ? suffixIds : prefixIds).push(...(ids as number[]));
    } else {
      fail(f, 'must be {"SpecialToken": {"id": ...}} or {"Sequence": {...}}');
    }
  });
  if (!seenSequence) fail('post_processor.single', 'has no Sequence');
  return { prefixIds, suffixIds };
}

function parseDecoder(value: unknown, fail: Fail): TokenizerJsonSpec['decoder'] {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) return fail('decoder', 'must be an object or null');
  if (value.type !== 'WordPiece') fail('decoder.type', `is ${JSON.stringify(value.type)}; only "WordPiece" is supported`);
  const prefix = value.prefix ?? '##';
  const cleanup = value.cleanup ?? true;
  if (typeof prefix !== 'string') fail('decoder.prefix', 'must be a string');
  if (typeof cleanup !== 'boolean') fail('decoder.cleanup', 'must be true or false');
  return { prefix: prefix as string, cleanup: cleanup as boolean };
}
