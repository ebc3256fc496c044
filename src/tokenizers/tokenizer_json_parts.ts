// The parts of a Hugging Face tokenizer.json that every model type shares: the vocab object, added_tokens and the
// post_processor (as Templates). Errors name the file and the field.

import type { AddedToken } from './added_tokens.js';
import { isObject, type Vocab } from './vocab.js';
import {
  bertTemplates,
  PLAIN_TEMPLATES,
  robertaTemplates,
  type TemplatePiece,
  type Templates,
} from './post_process.js';

export type Fail = (field: string, problem: string) => never;

/** where → a function that throws `${where}: field "${field}" ${problem}`. */
export function failFor(where: string): Fail {
  return (field, problem) => {
    throw new Error(`${where}: field "${field}" ${problem}`);
  };
}

export interface AddedTokenSpec {
  id: number;
  content: string;
  special: boolean;
  normalized: boolean;
  lstrip: boolean;
  rstrip: boolean;
}

/** tokenizer.json's added tokens as the added-token splitter takes them (`normalized` only matters when parsing). */
export function splitterTokens(specs: readonly AddedTokenSpec[]): AddedToken[] {
  return specs.map((t) => ({ content: t.content, id: t.id, special: t.special, lstrip: t.lstrip, rstrip: t.rstrip }));
}

/** vocab object {token: id} → Vocab; ids must be distinct integers 0..n-1 (holes are an error). */
export function vocabFromObject(obj: Record<string, unknown>, fail: Fail): Vocab {
  const ids = new Map<string, number>();
  const tokens: string[] = [];
  for (const [token, id] of Object.entries(obj)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0)
      fail(`[${JSON.stringify(token)}]`, 'must be a non-negative integer id');
    if (tokens[id as number] !== undefined)
      fail(`[${JSON.stringify(token)}]`, `reuses id ${id} (already "${tokens[id as number]}")`);
    tokens[id as number] = token;
    ids.set(token, id as number);
  }
  if (ids.size === 0) fail('', 'is empty');
  for (let i = 0; i < tokens.length; i++)
    if (tokens[i] === undefined) fail('', `has no token with id ${i} (ids must be 0..${tokens.length - 1})`);
  return { tokens, ids };
}

/** added_tokens → their specs; each must already be in the model's vocab with the same id. */
export function parseAddedTokens(value: unknown, vocab: Vocab, fail: Fail): AddedTokenSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return fail('added_tokens', 'must be an array');
  return value.map((entry, i) => {
    const f = `added_tokens[${i}]`;
    if (!isObject(entry)) fail(f, 'must be an object');
    const e = entry as Record<string, unknown>;
    if (typeof e.id !== 'number' || !Number.isInteger(e.id) || e.id < 0)
      fail(`${f}.id`, 'must be a non-negative integer');
    if (typeof e.content !== 'string' || e.content.length === 0) fail(`${f}.content`, 'must be a non-empty string');
    const id = e.id as number;
    const content = e.content as string;
    if (vocab.tokens[id] !== content) {
      // tokenizers would append such a token after the vocab; the files we read never do, so refuse clearly.
      fail(
        `${f}`,
        `("${content}", id ${id}) does not match model.vocab (id ${id} is ${JSON.stringify(vocab.tokens[id] ?? null)})`,
      );
    }
    if (e.normalized === true) {
      // Would be matched on normalised text; BERT's and RoBERTa's special tokens are all matched on raw text.
      fail(`${f}.normalized`, 'is true; only added tokens matched on raw text (normalized: false) are supported');
    }
    if (e.single_word === true) fail(`${f}.single_word`, 'is true; single-word added tokens are not supported');
    return {
      id,
      content,
      special: e.special === true,
      normalized: false,
      lstrip: e.lstrip === true,
      rstrip: e.rstrip === true,
    };
  });
}

/** post_processor → the templates around one text and a pair (Template-, Bert-, RobertaProcessing, ByteLevel). */
export function parsePostProcessor(value: unknown, vocab: Vocab, fail: Fail): Templates {
  if (value === undefined || value === null) return PLAIN_TEMPLATES;
  if (!isObject(value)) return fail('post_processor', 'must be an object or null');
  const tokenPair = (key: 'cls' | 'sep'): number => {
    const p = value[key];
    if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'number' || vocab.tokens[p[1]] === undefined) {
      fail(`post_processor.${key}`, 'must be ["token", id] with an id in model.vocab');
    }
    return (p as [string, number])[1];
  };
  switch (value.type) {
    case 'BertProcessing':
      return bertTemplates(tokenPair('cls'), tokenPair('sep'));
    case 'RobertaProcessing':
      return robertaTemplates(tokenPair('cls'), tokenPair('sep'));
    case 'ByteLevel': // GPT-2: trims offsets, adds no tokens
      return PLAIN_TEMPLATES;
    case 'TemplateProcessing': {
      const specials = isObject(value.special_tokens) ? value.special_tokens : {};
      const single = parseTemplate(value.single, 'single', specials, vocab, fail);
      const pair = value.pair === undefined ? undefined : parseTemplate(value.pair, 'pair', specials, vocab, fail);
      return { single, pair };
    }
    default:
      return fail(
        'post_processor.type',
        `is ${JSON.stringify(value.type)}; supported: "TemplateProcessing", "BertProcessing", "RobertaProcessing", "ByteLevel"`,
      );
  }
}

/** One template list: [{"SpecialToken": {"id", "type_id"}} | {"Sequence": {"id": "A" | "B", "type_id"}}]. */
function parseTemplate(
  list: unknown,
  name: 'single' | 'pair',
  specials: Record<string, unknown>,
  vocab: Vocab,
  fail: Fail,
): TemplatePiece[] {
  if (!Array.isArray(list)) return fail(`post_processor.${name}`, 'must be an array');
  const seen = new Set<string>();
  const pieces = list.map((item: unknown, i): TemplatePiece => {
    const f = `post_processor.${name}[${i}]`;
    const typeIdOf = (o: Record<string, unknown>): number => {
      const t = o.type_id ?? 0;
      return typeof t === 'number' && Number.isInteger(t) && t >= 0
        ? t
        : fail(`${f}.type_id`, 'must be a non-negative integer');
    };
    if (isObject(item) && isObject(item.Sequence)) {
      const id = item.Sequence.id;
      if (id !== 'A' && id !== 'B') fail(`${f}.Sequence.id`, 'must be "A" or "B"');
      if (name === 'single' && id === 'B') fail(`${f}.Sequence.id`, 'is "B" in a single-sequence template');
      if (seen.has(id as string)) fail(f, `repeats Sequence ${id as string}`);
      seen.add(id as string);
      return { sequence: id === 'A' ? 0 : 1, typeId: typeIdOf(item.Sequence) };
    }
    if (isObject(item) && isObject(item.SpecialToken) && typeof item.SpecialToken.id === 'string') {
      const key = item.SpecialToken.id;
      const entry = specials[key];
      const ids = isObject(entry) && Array.isArray(entry.ids) ? (entry.ids as unknown[]) : undefined;
      if (!ids || !ids.every((x) => typeof x === 'number' && vocab.tokens[x] !== undefined)) {
        fail(`post_processor.special_tokens[${JSON.stringify(key)}].ids`, 'must list ids present in model.vocab');
      }
      return { specialIds: ids as number[], typeId: typeIdOf(item.SpecialToken) };
    }
    return fail(f, 'must be {"SpecialToken": {...}} or {"Sequence": {...}}');
  });
  const wanted = name === 'single' ? ['A'] : ['A', 'B'];
  for (const w of wanted) if (!seen.has(w)) fail(`post_processor.${name}`, `has no Sequence ${w}`);
  return pieces;
}
