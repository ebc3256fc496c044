// Reading a Hugging Face tokenizer.json (the `tokenizers` library's format) for a BERT WordPiece
// tokenizer. Only the parts BERT uses are accepted; anything else is an error naming the field. The parts every
// model type shares (vocab, added_tokens, post_processor) are in tokenizer_json_parts.ts.

import type { Templates } from './post_process.js';
import {
  failFor,
  parseAddedTokens,
  parsePostProcessor,
  vocabFromObject,
  type AddedTokenSpec,
  type Fail,
} from './tokenizer_json_parts.js';
import { isObject, parseJsonObject, type Vocab } from './vocab.js';

export interface TokenizerJsonSpec {
  vocab: Vocab;
  unkToken: string;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
  normalizer: {
    cleanText: boolean;
    handleChineseChars: boolean;
    stripAccents: boolean | null;
    lowercase: boolean;
  } | null;
  addedTokens: AddedTokenSpec[];
  /** The post-processor's templates (the texts alone when there is none). */
  templates: Templates;
  /** WordPiece decoder settings; null when the file has no decoder (tokens are joined with spaces). */
  decoder: { prefix: string; cleanup: boolean } | null;
  /** The parsed file, kept so that saving can write it back in the library's own layout. */
  raw: Record<string, unknown>;
}

/** text (or the parsed object): tokenizer.json contents → TokenizerJsonSpec; `where` names the file in errors. */
export function parseTokenizerJson(text: string | Record<string, unknown>, where: string): TokenizerJsonSpec {
  const raw = typeof text === 'string' ? parseJsonObject(text, where) : text;
  const fail = failFor(where);

  const model = raw.model;
  if (!isObject(model)) fail('model', 'must be an object');
  const m = model as Record<string, unknown>;
  // Older files (like distilbert-base-uncased's) omit model.type; tokenizers then infers the model
  // from its fields, and a WordPiece model is the one with a vocab object and no merges.
  if (m.type !== undefined && m.type !== 'WordPiece') {
    fail('model.type', `is ${JSON.stringify(m.type)}; only "WordPiece" (BERT) models are supported`);
  }
  if (m.type === undefined && m.merges !== undefined)
    fail('model', 'looks like a BPE model (it has "merges"); only WordPiece is supported');
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
  return {
    vocab,
    unkToken,
    continuingSubwordPrefix,
    maxInputCharsPerWord: maxChars as number,
    normalizer: parseNormalizer(raw.normalizer, fail),
    addedTokens,
    templates: parsePostProcessor(raw.post_processor, vocab, fail),
    decoder: parseDecoder(raw.decoder, fail),
    raw,
  };
}

function parseNormalizer(value: unknown, fail: Fail): TokenizerJsonSpec['normalizer'] {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) return fail('normalizer', 'must be an object or null');
  if (value.type !== 'BertNormalizer')
    fail('normalizer.type', `is ${JSON.stringify(value.type)}; only "BertNormalizer" is supported`);
  const flag = (key: string, fallback: boolean): boolean => {
    const v = value[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') fail(`normalizer.${key}`, 'must be true or false');
    return v as boolean;
  };
  const strip = value.strip_accents;
  if (strip !== undefined && strip !== null && typeof strip !== 'boolean')
    fail('normalizer.strip_accents', 'must be true, false or null');
  return {
    cleanText: flag('clean_text', true),
    handleChineseChars: flag('handle_chinese_chars', true),
    stripAccents: (strip as boolean | null | undefined) ?? null,
    lowercase: flag('lowercase', true),
  };
}

function parseDecoder(value: unknown, fail: Fail): TokenizerJsonSpec['decoder'] {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) return fail('decoder', 'must be an object or null');
  if (value.type !== 'WordPiece')
    fail('decoder.type', `is ${JSON.stringify(value.type)}; only "WordPiece" is supported`);
  const prefix = value.prefix ?? '##';
  const cleanup = value.cleanup ?? true;
  if (typeof prefix !== 'string') fail('decoder.prefix', 'must be a string');
  if (typeof cleanup !== 'boolean') fail('decoder.cleanup', 'must be true or false');
  return { prefix: prefix as string, cleanup: cleanup as boolean };
}
