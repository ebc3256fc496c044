// Reading vocab.txt and tokenizer_config.json, with errors that name the file, line or field.

import type { AddedToken } from './added_tokens.js';

/** A vocabulary: `tokens[id]` is the line (or entry) of each id; `ids` maps token → id. */
export interface Vocab {
  tokens: string[];
  ids: Map<string, number>;
}

/**
 * text: vocab.txt contents, one token per line → Vocab (ids = 0-based line numbers).
 * Lines end in `\n`, `\r\n` or `\r` (Python's universal newlines). A token that appears twice keeps
 * the *later* id, as transformers' `load_vocab` does; the earlier id then decodes to the unk token.
 */
export function parseVocabTxt(text: string, where: string): Vocab {
  const lines = text.split(/\r\n|\r|\n/);
  // A final newline ends the last line rather than starting an empty one (Python readlines).
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new Error(`${where}: the vocabulary is empty`);
  const ids = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) ids.set(lines[i]!, i);
  return { tokens: lines, ids };
}

/** The special tokens a tokenizer needs, by role (bos/eos: RoBERTa's, unset for BERT unless a config names them). */
export interface SpecialTokenNames {
  unk: string;
  cls: string;
  sep: string;
  pad: string;
  mask: string;
  bos?: string;
  eos?: string;
}

export const DEFAULT_SPECIAL_TOKENS: SpecialTokenNames = {
  unk: '[UNK]',
  cls: '[CLS]',
  sep: '[SEP]',
  pad: '[PAD]',
  mask: '[MASK]',
};

/** transformers' RobertaTokenizer defaults. */
export const ROBERTA_SPECIAL_TOKENS: SpecialTokenNames = {
  unk: '<unk>',
  cls: '<s>',
  sep: '</s>',
  pad: '<pad>',
  mask: '<mask>',
  bos: '<s>',
  eos: '</s>',
};

/** HF's value of model_max_length when a config does not set one (int(1e30)): truncation is then a no-op. */
export const VERY_LARGE_INTEGER = 1e30;

/** What tokenizer_config.json says, with transformers' defaults for BertTokenizer filled in. */
export interface TokenizerConfig {
  doLowerCase: boolean;
  /** null: follow doLowerCase. */
  stripAccents: boolean | null;
  tokenizeChineseChars: boolean;
  /** Infinity when absent, so `truncation: true` does not truncate (HF: VERY_LARGE_INTEGER). */
  modelMaxLength: number;
  /** undefined when absent: each loading path has its own HF default. */
  cleanUpTokenizationSpaces: boolean | undefined;
  specialTokens: SpecialTokenNames;
  /** Keys present in the file, so a loader can tell "set to the default" from "absent". */
  present: Set<string>;
  /** The parsed file, kept so that saving can carry unknown keys through. */
  raw: Record<string, unknown>;
}

/** text: tokenizer_config.json contents (undefined: no file), the class's token names → TokenizerConfig. */
export function parseTokenizerConfig(
  text: string | undefined,
  where: string,
  defaults: SpecialTokenNames = DEFAULT_SPECIAL_TOKENS,
): TokenizerConfig {
  const raw = text === undefined ? {} : parseJsonObject(text, where);
  const field = <T>(key: string, check: (v: unknown) => v is T, what: string, fallback: T): T => {
    const value = raw[key];
    if (value === undefined) return fallback;
    if (!check(value)) throw new Error(`${where}: field "${key}" must be ${what}, got ${JSON.stringify(value)}`);
    return value;
  };
  const maxLen = field('model_max_length', isNumberOrNull, 'a positive integer', null);
  if (maxLen !== null && (!Number.isInteger(maxLen) || maxLen < 1)) {
    throw new Error(`${where}: field "model_max_length" must be a positive integer, got ${maxLen}`);
  }
  const tokenName = <F extends string | undefined>(key: string, fallback: F): string | F => {
    const value = raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string') return value;
    // Older configs store AddedToken objects: {"__type": "AddedToken", "content": "[UNK]", ...}.
    if (isObject(value) && typeof value.content === 'string') return value.content;
    throw new Error(
      `${where}: field "${key}" must be a token string or {"content": ...}, got ${JSON.stringify(value)}`,
    );
  };
  return {
    doLowerCase: field('do_lower_case', isBoolean, 'true or false', true),
    stripAccents: field('strip_accents', isBooleanOrNull, 'true, false or null', null),
    tokenizeChineseChars: field('tokenize_chinese_chars', isBoolean, 'true or false', true),
    modelMaxLength: maxLen === null || maxLen >= VERY_LARGE_INTEGER ? Infinity : maxLen,
    cleanUpTokenizationSpaces: field<boolean | undefined>(
      'clean_up_tokenization_spaces',
      isBoolean,
      'true or false',
      undefined,
    ),
    specialTokens: specialTokens(tokenName, defaults),
    present: new Set(Object.keys(raw)),
    raw,
  };
}

function specialTokens(
  tokenName: <F extends string | undefined>(key: string, fallback: F) => string | F,
  defaults: SpecialTokenNames,
): SpecialTokenNames {
  const names: SpecialTokenNames = {
    unk: tokenName('unk_token', defaults.unk),
    cls: tokenName('cls_token', defaults.cls),
    sep: tokenName('sep_token', defaults.sep),
    pad: tokenName('pad_token', defaults.pad),
    mask: tokenName('mask_token', defaults.mask),
  };
  const bos = tokenName('bos_token', defaults.bos);
  const eos = tokenName('eos_token', defaults.eos);
  if (bos !== undefined) names.bos = bos;
  if (eos !== undefined) names.eos = eos;
  return names;
}

/**
 * tokenizer_config.json's added_tokens_decoder → its added tokens (content, special, lstrip/rstrip as saved), each
 * checked against `vocab`; `vocabAt(id)` says where the vocabulary gives an id, for the error ("vocab.txt line 5").
 */
export function configAddedTokens(
  config: TokenizerConfig,
  vocab: Vocab,
  vocabAt: (id: number) => string,
): AddedToken[] {
  const decoder = config.raw.added_tokens_decoder;
  if (!isObject(decoder)) return [];
  const added: AddedToken[] = [];
  for (const [idText, entry] of Object.entries(decoder)) {
    if (!isObject(entry) || typeof entry.content !== 'string') continue;
    const id = Number(idText);
    if (vocab.tokens[id] !== entry.content) {
      throw new Error(
        `tokenizer_config.json: added_tokens_decoder["${idText}"] is "${entry.content}" but ${vocabAt(id)} is ${JSON.stringify(vocab.tokens[id] ?? null)}`,
      );
    }
    if (added.some((t) => t.content === entry.content)) continue;
    added.push({
      content: entry.content,
      id,
      special: entry.special !== false,
      lstrip: entry.lstrip === true,
      rstrip: entry.rstrip === true,
    });
  }
  return added;
}

/** role → id in `vocab`; throws naming `where` and the token when one of them is missing. */
export function requireTokenId(vocab: Map<string, number>, token: string, role: string, where: string): number {
  const id = vocab.get(token);
  if (id === undefined) {
    throw new Error(
      `${where}: the vocabulary has no ${role} token "${token}" (a BERT vocabulary needs [UNK], [CLS], [SEP] and [PAD])`,
    );
  }
  return id;
}

/** text: JSON that must be an object → the object; syntax errors name the line and column. */
export function parseJsonObject(text: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const pos = errorPosition(text, message);
    const at = pos === undefined ? '' : ` at ${lineAndColumn(text, pos)}`;
    throw new Error(`${where}: invalid JSON${at}: ${message}`);
  }
  if (!isObject(value)) throw new Error(`${where}: expected a JSON object at the top level`);
  return value;
}

/** Where JSON.parse failed: V8 says "at position N", or for an unexpected token quotes the text around it. */
function errorPosition(text: string, message: string): number | undefined {
  const pos = /position (\d+)/.exec(message);
  if (pos) return Number(pos[1]);
  const quoted = /Unexpected token '([\s\S])', (?:\.\.\.)?"([\s\S]*)"(?:\.\.\.)? is not valid JSON/.exec(message);
  if (!quoted) return undefined;
  const [, token, context] = quoted as unknown as [string, string, string];
  const at = text.indexOf(context);
  return at < 0 ? undefined : at + Math.max(0, context.indexOf(token));
}

function lineAndColumn(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isBoolean(v: unknown): v is boolean {
  return typeof v === 'boolean';
}

function isBooleanOrNull(v: unknown): v is boolean | null {
  return v === null || typeof v === 'boolean';
}

function isNumberOrNull(v: unknown): v is number | null {
  return v === null || typeof v === 'number';
}
