// The files `save_pretrained` writes for a BERT tokenizer, byte for byte where we can:
// - slow (vocab.txt): vocab.txt, tokenizer_config.json, special_tokens_map.json;
// - fast (tokenizer.json): the same three plus tokenizer.json.
// A slow tokenizer writes tokenizer.json too, as transformers' converter builds it (slow_to_fast.ts): tools that
// read only tokenizer.json (transformers.js, tokenizers) then load every directory we save, and AutoTokenizer
// would have written it (the fast tokenizer is its default).
// transformers writes its JSON with `json.dumps(indent=2, sort_keys=True, ensure_ascii=False) + "\n"`;
// tokenizers writes tokenizer.json with serde's pretty printer (2 spaces, struct field order, vocab
// ordered by id, no final newline). JS objects reorder integer-like keys ("0", "1990"), so ordered
// objects are written from entry lists instead.

import { convertedTokenizerJson } from './slow_to_fast.js';
import { VERY_LARGE_INTEGER } from './vocab.js';

/** A JSON value whose objects are either plain (keys sorted on output) or ordered entry lists. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject | OrderedObject;
export interface JsonObject {
  [key: string]: JsonValue;
}
export class OrderedObject {
  constructor(readonly entries: Array<[string, JsonValue]>) {}
}

/** value → JSON text indented by 2, like Python's json.dumps(indent=2, sort_keys=True) and serde's pretty printer. */
export function prettyJson(value: JsonValue, indent = ''): string {
  if (value === null || typeof value !== 'object') return scalarJson(value);
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + prettyJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries =
    value instanceof OrderedObject
      ? value.entries
      : Object.keys(value)
          .sort(byCodePoint)
          .map((k): [string, JsonValue] => [k, (value as JsonObject)[k]!]);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${prettyJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

function scalarJson(value: null | boolean | number | string): string {
  // Python writes HF's "no limit" model_max_length as the integer int(1e30), not 1e+30.
  if (value === VERY_LARGE_INTEGER) return '1000000000000000019884624838656';
  return JSON.stringify(value);
}

/** Python sorts str keys by code point; JS's default sort compares UTF-16 units (differs only above U+FFFF). */
function byCodePoint(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

export interface SaveState {
  flavour: 'python' | 'rust';
  /** Every id's token, in id order. */
  vocabTokens: readonly string[];
  /** Special tokens by role, and the added tokens (with ids) that are split out of raw text. */
  specialNames: { unk: string; cls: string; sep: string; pad: string; mask: string | undefined };
  addedTokens: readonly SavedAddedToken[];
  doLowerCase: boolean;
  stripAccents: boolean | null;
  tokenizeChineseChars: boolean;
  modelMaxLength: number;
  cleanUpTokenizationSpaces: boolean;
  /** The tokenizer_config.json that was loaded (unknown keys are carried through, as HF does). */
  loadedConfig: Record<string, unknown>;
  /** Fast: the tokenizer.json that was loaded, with its normalizer as configured (slow: converted from the vocab). */
  tokenizerJson?: Record<string, unknown>;
}

// Keys of a loaded config that transformers does not write back (is_local and local_files_only are loading arguments
// that transformers 5 leaks into the files it saves).
const DROPPED_CONFIG_KEYS = new Set([
  'tokenizer_file',
  'name_or_path',
  'special_tokens_map_file',
  'auto_map',
  'added_tokens_decoder',
  'is_local',
  'local_files_only',
]);

/** An added token as the save functions need it. */
export interface SavedAddedToken {
  id: number;
  content: string;
  special: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
}

/** The loaded tokenizer_config.json's keys that are written back (unknown keys are carried through, as HF does). */
export function carriedConfig(loaded: Record<string, unknown>): JsonObject {
  const config: JsonObject = {};
  for (const [k, v] of Object.entries(loaded)) if (!DROPPED_CONFIG_KEYS.has(k)) config[k] = v as JsonValue;
  return config;
}

/** added tokens → tokenizer_config.json's added_tokens_decoder (by id, with transformers' AddedToken fields). */
export function addedTokensDecoder(added: readonly SavedAddedToken[]): OrderedObject {
  return new OrderedObject(
    [...added]
      .sort((a, b) => a.id - b.id)
      .map((t) => [
        String(t.id),
        {
          content: t.content,
          lstrip: t.lstrip ?? false,
          normalized: false,
          rstrip: t.rstrip ?? false,
          single_word: false,
          special: t.special,
        },
      ]),
  );
}

/** added tokens → tokenizer.json's added_tokens (sorted by id, fields in tokenizers' order). */
export function addedTokensJson(added: readonly SavedAddedToken[]): OrderedObject[] {
  return [...added]
    .sort((a, b) => a.id - b.id)
    .map(
      (t) =>
        new OrderedObject([
          ['id', t.id],
          ['content', t.content],
          ['single_word', false],
          ['lstrip', t.lstrip ?? false],
          ['rstrip', t.rstrip ?? false],
          ['normalized', false],
          ['special', t.special],
        ]),
    );
}

/** A parsed JSON value with its objects' key order kept (for writing back parts of a loaded tokenizer.json). */
export function orderedJson(obj: unknown): JsonValue {
  if (Array.isArray(obj)) return obj.map(orderedJson);
  if (obj !== null && typeof obj === 'object')
    return new OrderedObject(Object.entries(obj).map(([k, v]) => [k, orderedJson(v)]));
  return obj as JsonValue;
}

/** state → file name → bytes, ready to write next to a model. */
export function tokenizerFiles(state: SaveState): Map<string, Uint8Array> {
  const utf8 = new TextEncoder();
  const files = new Map<string, Uint8Array>();
  files.set('vocab.txt', utf8.encode(state.vocabTokens.map((t) => t + '\n').join('')));
  files.set('tokenizer_config.json', utf8.encode(prettyJson(tokenizerConfig(state)) + '\n'));
  files.set('special_tokens_map.json', utf8.encode(prettyJson(specialTokensMap(state)) + '\n'));
  const { unk, cls, sep } = state.specialNames;
  const json = state.tokenizerJson ?? convertedTokenizerJson({ ...state, unkToken: unk, clsToken: cls, sepToken: sep });
  if (json) files.set('tokenizer.json', utf8.encode(prettyJson(tokenizerJson(state, json))));
  return files;
}

function specialTokensMap(state: SaveState): JsonObject {
  const n = state.specialNames;
  const map: JsonObject = { cls_token: n.cls, pad_token: n.pad, sep_token: n.sep, unk_token: n.unk };
  if (n.mask !== undefined) map.mask_token = n.mask;
  return map;
}

function tokenizerConfig(state: SaveState): JsonObject {
  const config = carriedConfig(state.loadedConfig);
  const klass =
    typeof config.tokenizer_class === 'string' ? config.tokenizer_class.replace(/Fast$/, '') : 'DistilBertTokenizer';
  Object.assign(config, specialTokensMap(state), {
    added_tokens_decoder: addedTokensDecoder(state.addedTokens),
    clean_up_tokenization_spaces: state.cleanUpTokenizationSpaces,
    do_lower_case: state.doLowerCase,
    extra_special_tokens: {},
    model_max_length: Number.isFinite(state.modelMaxLength) ? state.modelMaxLength : VERY_LARGE_INTEGER,
    strip_accents: state.stripAccents,
    tokenize_chinese_chars: state.tokenizeChineseChars,
    tokenizer_class: klass,
  });
  if (state.flavour === 'python') {
    // Init arguments of the slow BertTokenizer that the fast one does not have.
    config.do_basic_tokenize ??= true;
    config.never_split ??= null;
  }
  return config;
}

/** The loaded tokenizer.json re-written in the order tokenizers serialises it. */
function tokenizerJson(state: SaveState, raw: Record<string, unknown>): OrderedObject {
  const ordered = orderedJson;
  const model = raw.model as Record<string, unknown>;
  return new OrderedObject([
    ['version', ordered(raw.version ?? '1.0')],
    // transformers resets truncation and padding before saving.
    ['truncation', null],
    ['padding', null],
    // tokenizers writes its added vocabulary sorted by id.
    ['added_tokens', addedTokensJson(state.addedTokens)],
    ['normalizer', ordered(raw.normalizer ?? null)],
    ['pre_tokenizer', ordered(raw.pre_tokenizer ?? null)],
    ['post_processor', ordered(raw.post_processor ?? null)],
    ['decoder', ordered(raw.decoder ?? null)],
    [
      'model',
      new OrderedObject([
        ['type', 'WordPiece'],
        ['unk_token', ordered(model.unk_token ?? '[UNK]')],
        ['continuing_subword_prefix', ordered(model.continuing_subword_prefix ?? '##')],
        ['max_input_chars_per_word', ordered(model.max_input_chars_per_word ?? 100)],
        ['vocab', new OrderedObject(state.vocabTokens.map((t, i): [string, JsonValue] => [t, i]))],
      ]),
    ],
  ]);
}
