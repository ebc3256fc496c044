// Reading a byte-level BPE tokenizer (RoBERTa, GPT-2) from either layout: tokenizer.json (the `tokenizers` library's
// format), or vocab.json + merges.txt (transformers' slow files). Only what byte-level BPE uses is accepted; anything
// else is an error naming the file and field (or line).

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

/** The model settings of a BPE tokenizer.json; written back as read when saving. */
export interface BpeModelSettings {
  dropout: null;
  unkToken: string | null;
  continuingSubwordPrefix: string;
  endOfWordSuffix: string;
  fuseUnk: boolean;
  byteFallback: boolean;
  ignoreMerges: boolean;
}

export interface BpeJsonSpec {
  vocab: Vocab;
  merges: Array<[string, string]>;
  model: BpeModelSettings;
  addedTokens: AddedTokenSpec[];
  /** ByteLevel pre-tokenizer settings. */
  addPrefixSpace: boolean;
  trimOffsets: boolean;
  useRegex: boolean;
  templates: Templates;
  /** false: the file has no decoder (tokens are joined with spaces). */
  byteLevelDecoder: boolean;
  /** The parsed file, kept so that saving can write its pre_tokenizer, post_processor and decoder back. */
  raw: Record<string, unknown>;
}

/** text: tokenizer.json contents of a byte-level BPE → BpeJsonSpec; `where` names the file in errors. */
export function parseBpeTokenizerJson(text: string, where: string): BpeJsonSpec {
  const raw = parseJsonObject(text, where);
  const fail = failFor(where);
  if (!isObject(raw.model)) fail('model', 'must be an object');
  const m = raw.model as Record<string, unknown>;
  if (m.type !== undefined && m.type !== 'BPE')
    fail('model.type', `is ${JSON.stringify(m.type)}; expected "BPE" (a byte-level BPE tokenizer)`);
  if (!isObject(m.vocab)) fail('model.vocab', 'must be an object mapping token → id');
  const vocab = vocabFromObject(m.vocab as Record<string, unknown>, (f, p) => fail(`model.vocab${f}`, p));
  if (raw.normalizer !== null && raw.normalizer !== undefined) {
    fail('normalizer', `is ${JSON.stringify(raw.normalizer)}; a byte-level BPE tokenizer has none (null)`);
  }
  const pre = raw.pre_tokenizer;
  if (!isObject(pre) || pre.type !== 'ByteLevel')
    fail('pre_tokenizer', `must be {"type": "ByteLevel", ...}, got ${JSON.stringify(pre ?? null)}`);
  const p = pre as Record<string, unknown>;
  const decoder = raw.decoder;
  if (decoder !== null && decoder !== undefined && (!isObject(decoder) || decoder.type !== 'ByteLevel')) {
    fail('decoder', `must be {"type": "ByteLevel", ...} or null, got ${JSON.stringify(decoder)}`);
  }
  return {
    vocab,
    merges: parseJsonMerges(m.merges, fail),
    model: parseModelSettings(m, fail),
    addedTokens: parseAddedTokens(raw.added_tokens, vocab, fail),
    addPrefixSpace: flag(p, 'add_prefix_space', true, 'pre_tokenizer', fail),
    trimOffsets: flag(p, 'trim_offsets', true, 'pre_tokenizer', fail),
    useRegex: flag(p, 'use_regex', true, 'pre_tokenizer', fail),
    templates: parsePostProcessor(raw.post_processor, vocab, fail),
    byteLevelDecoder: isObject(decoder),
    raw,
  };
}

function flag(obj: Record<string, unknown>, key: string, fallback: boolean, field: string, fail: Fail): boolean {
  const v = obj[key];
  if (v === undefined) return fallback;
  return typeof v === 'boolean' ? v : fail(`${field}.${key}`, 'must be true or false');
}

/** model.merges: [["Ġ", "t"], …] (tokenizers ≥ 0.20) or ["Ġ t", …] (older files). */
function parseJsonMerges(value: unknown, fail: Fail): Array<[string, string]> {
  if (!Array.isArray(value)) return fail('model.merges', 'must be an array');
  return value.map((entry: unknown, i): [string, string] => {
    if (typeof entry === 'string') {
      const parts = entry.split(' ');
      if (parts.length === 2) return parts as [string, string];
    } else if (Array.isArray(entry) && entry.length === 2 && entry.every((x) => typeof x === 'string')) {
      return entry as [string, string];
    }
    return fail(`model.merges[${i}]`, `must be ["left", "right"] or "left right", got ${JSON.stringify(entry)}`);
  });
}

function parseModelSettings(m: Record<string, unknown>, fail: Fail): BpeModelSettings {
  if (m.dropout !== undefined && m.dropout !== null)
    fail('model.dropout', 'must be null (BPE dropout is for training)');
  const str = (key: string): string => {
    const v = m[key] ?? '';
    return typeof v === 'string' ? v : fail(`model.${key}`, 'must be a string or null');
  };
  const unk = m.unk_token ?? null;
  if (unk !== null && typeof unk !== 'string') fail('model.unk_token', 'must be a string or null');
  const settings: BpeModelSettings = {
    dropout: null,
    unkToken: unk as string | null,
    continuingSubwordPrefix: str('continuing_subword_prefix'),
    endOfWordSuffix: str('end_of_word_suffix'),
    fuseUnk: flag(m, 'fuse_unk', false, 'model', fail),
    byteFallback: flag(m, 'byte_fallback', false, 'model', fail),
    ignoreMerges: flag(m, 'ignore_merges', false, 'model', fail),
  };
  // What byte-level BPE files never use: refuse rather than tokenize differently.
  if (settings.continuingSubwordPrefix !== '')
    fail('model.continuing_subword_prefix', 'must be "" for a byte-level BPE');
  if (settings.endOfWordSuffix !== '') fail('model.end_of_word_suffix', 'must be "" for a byte-level BPE');
  if (settings.byteFallback) fail('model.byte_fallback', 'must be false for a byte-level BPE');
  if (settings.ignoreMerges) fail('model.ignore_merges', 'is true; only false is supported');
  return settings;
}

/** vocab.json text → Vocab (ids 0..n-1, each once). */
export function parseVocabJson(text: string, where: string): Vocab {
  const obj = parseJsonObject(text, where);
  return vocabFromObject(obj, (field, problem) => {
    throw new Error(`${where}: entry${field === '' ? 's' : ` ${field}`} ${problem}`);
  });
}

/**
 * merges.txt text → [left, right] per line, in rank order. The "#version" header is skipped; every other line must be
 * two tokens separated by one space (a final newline ends the last line).
 */
export function parseMergesTxt(text: string, where: string): Array<[string, string]> {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  const merges: Array<[string, string]> = [];
  lines.forEach((line, i) => {
    if (i === 0 && line.startsWith('#version')) return;
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new Error(
        `${where} (line ${i + 1}): expected two tokens separated by one space, got ${JSON.stringify(line)}`,
      );
    }
    merges.push(parts as [string, string]);
  });
  return merges;
}
