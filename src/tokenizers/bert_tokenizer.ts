// The public BERT (uncased WordPiece) tokenizer, with Hugging Face parity on two loading paths:
// - vocab.txt (+ tokenizer_config.json): transformers' slow BertTokenizer / DistilBertTokenizer;
// - tokenizer.json (+ tokenizer_config.json): the Rust `tokenizers` behind DistilBertTokenizerFast.
// They give the same ids except for U+2B820–U+2B91F (see unicode.ts isCjk) and in decode().

import { describeValue, optionsObject } from '../util/check.js';
import type { FileSource, SourceOptions } from '../io/files.js';
import { openModelSource } from '../io/progress.js';
import type { BasicOptions, Flavour } from './basic.js';
import { decodePython, decodeRust } from './decode.js';
import { Encoder, type AddedToken } from './encoder.js';
import { tokenizerFiles } from './save.js';
import { parseTokenizerJson } from './tokenizer_json.js';
import {
  isObject,
  parseJsonObject,
  parseTokenizerConfig,
  parseVocabTxt,
  requireTokenId,
  type SpecialTokenNames,
  type TokenizerConfig,
  type Vocab,
} from './vocab.js';
import { WordPiece } from './wordpiece.js';

export interface EncodeOptions {
  /** Cut to `maxLength` (default: modelMaxLength) counting special tokens. HF: truncation=True. */
  truncation?: boolean;
  /** Given without `truncation`, truncation is on (HF's "longest_first" default with a warning). */
  maxLength?: number;
  /** Wrap in [CLS] … [SEP]; default true. */
  addSpecialTokens?: boolean;
}

export interface Encoding {
  inputIds: number[];
  attentionMask: number[];
}

export interface DecodeOptions {
  /** Drop [CLS], [SEP], [PAD], [UNK], [MASK] and other special tokens; default false. */
  skipSpecialTokens?: boolean;
  /** transformers' clean_up_tokenization_spaces; default from tokenizer_config.json or HF's class default. */
  cleanUpTokenizationSpaces?: boolean;
}

export interface LoadOptions extends SourceOptions {
  /** Which file defines the tokenizer; default tokenizer.json when present (like AutoTokenizer), else vocab.txt. */
  use?: 'vocab' | 'tokenizer.json';
}

export interface VocabOptions {
  doLowerCase?: boolean;
  /** null (default): strip accents when lower-casing. */
  stripAccents?: boolean | null;
  tokenizeChineseChars?: boolean;
  /** Default: no limit (HF without model_max_length). */
  modelMaxLength?: number;
  cleanUpTokenizationSpaces?: boolean;
  specialTokens?: Partial<SpecialTokenNames>;
  /** Name used in error messages. */
  source?: string;
}

/** Everything a tokenizer is made of, from either loading path. */
interface Parts {
  flavour: Flavour;
  vocab: Vocab;
  basic: BasicOptions;
  unkToken: string;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
  names: SpecialTokenNames;
  added: AddedToken[];
  prefixIds: number[];
  suffixIds: number[];
  rustDecoder: { prefix: string; cleanup: boolean } | null;
  config: TokenizerConfig;
  cleanUpTokenizationSpaces: boolean;
  tokenizerJson?: Record<string, unknown>;
  where: string;
}

export class BertTokenizer {
  readonly padTokenId: number;
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly unkTokenId: number;
  /** undefined when the vocabulary has no mask token. */
  readonly maskTokenId: number | undefined;
  /** Number of ids (vocab lines / entries): the embedding matrix needs this many rows. */
  readonly vocabSize: number;
  /** From tokenizer_config.json; Infinity when it sets none (then `truncation: true` keeps everything). */
  readonly modelMaxLength: number;
  /** 'python' when loaded from vocab.txt (slow tokenizer), 'rust' from tokenizer.json (fast). */
  readonly flavour: Flavour;

  private readonly encoder: Encoder;
  private readonly specialStrings: Set<string>;

  private constructor(private readonly parts: Parts) {
    const { vocab, names, where } = parts;
    this.flavour = parts.flavour;
    this.unkTokenId = requireTokenId(vocab.ids, parts.unkToken, 'unknown', where);
    this.clsTokenId = requireTokenId(vocab.ids, names.cls, 'classifier', where);
    this.sepTokenId = requireTokenId(vocab.ids, names.sep, 'separator', where);
    this.padTokenId = requireTokenId(vocab.ids, names.pad, 'padding', where);
    this.maskTokenId = vocab.ids.get(names.mask);
    this.vocabSize = vocab.tokens.length;
    this.modelMaxLength = parts.config.modelMaxLength;
    this.specialStrings = new Set(parts.added.filter((t) => t.special).map((t) => t.content));
    const wordpiece = new WordPiece({
      vocab: vocab.ids,
      unkId: this.unkTokenId,
      continuingSubwordPrefix: parts.continuingSubwordPrefix,
      maxInputCharsPerWord: parts.maxInputCharsPerWord,
    });
    this.encoder = new Encoder(parts.basic, wordpiece, parts.added);
  }

  /**
   * location: a directory (Node), a base URL (browser) or a FileSource → tokenizer.
   * Reads tokenizer.json or vocab.txt (see LoadOptions.use), plus tokenizer_config.json and
   * special_tokens_map.json when present.
   */
  static async fromPretrained(location: string | FileSource, options: LoadOptions = {}): Promise<BertTokenizer> {
    options = optionsObject(options, 'BertTokenizer.fromPretrained');
    const src = openModelSource(location, options, 'BertTokenizer.fromPretrained: location');
    const [hasJson, hasVocab] = await Promise.all([src.exists('tokenizer.json'), src.exists('vocab.txt')]);
    const use = options.use ?? (hasJson ? 'tokenizer.json' : 'vocab');
    if (!hasJson && !hasVocab) {
      throw new Error(`${src.describe('')}: no tokenizer here (neither tokenizer.json nor vocab.txt exists)`);
    }
    const file = use === 'vocab' ? 'vocab.txt' : 'tokenizer.json';
    if (!(use === 'vocab' ? hasVocab : hasJson)) throw new Error(`${src.describe(file)}: file not found`);
    const configText = await readConfigs(src);
    const text = await src.readText(file);
    const configWhere = src.describe('tokenizer_config.json');
    if (use === 'vocab') {
      return new BertTokenizer(slowParts(parseVocabTxt(text, src.describe(file)), parseTokenizerConfig(configText, configWhere), src.describe(file)));
    }
    return BertTokenizer.fromTokenizerJson(text, configText, src.describe(file), configWhere);
  }

  /** text: vocab.txt contents → a slow-path (transformers BertTokenizer) tokenizer, in memory. */
  static fromVocab(text: string, options: VocabOptions = {}): BertTokenizer {
    const where = options.source ?? 'vocab.txt';
    const raw: Record<string, unknown> = {};
    if (options.doLowerCase !== undefined) raw.do_lower_case = options.doLowerCase;
    if (options.stripAccents !== undefined) raw.strip_accents = options.stripAccents;
    if (options.tokenizeChineseChars !== undefined) raw.tokenize_chinese_chars = options.tokenizeChineseChars;
    if (options.modelMaxLength !== undefined) raw.model_max_length = options.modelMaxLength;
    if (options.cleanUpTokenizationSpaces !== undefined) raw.clean_up_tokenization_spaces = options.cleanUpTokenizationSpaces;
    for (const [role, token] of Object.entries(options.specialTokens ?? {})) raw[`${role}_token`] = token;
    const config = parseTokenizerConfig(JSON.stringify(raw), `${where} (options)`);
    return new BertTokenizer(slowParts(parseVocabTxt(text, where), config, where));
  }

  /** jsonText: tokenizer.json contents (+ tokenizer_config.json) → a fast-path (tokenizers) tokenizer. */
  static fromTokenizerJson(jsonText: string, configText?: string, where = 'tokenizer.json', configWhere = 'tokenizer_config.json'): BertTokenizer {
    return new BertTokenizer(fastParts(jsonText, parseTokenizerConfig(configText, configWhere), where));
  }

  /** text → WordPiece tokens without [CLS]/[SEP], e.g. "Hello, world!" → ["hello", ",", "world", "!"]. */
  tokenize(text: string): string[] {
    const tokens = this.parts.vocab.tokens;
    const ids: number[] = [];
    this.encoder.encodeInto(text, ids);
    return ids.map((id) => tokens[id]!);
  }

  /** text → { inputIds: [n], attentionMask: [n] (all 1) }, [CLS] … [SEP] unless addSpecialTokens is false. */
  encode(text: string, options: EncodeOptions = {}): Encoding {
    if (typeof text !== 'string') throw new TypeError(`BertTokenizer.encode: text must be a string, got ${describeValue(text)}`);
    options = optionsObject(options, 'BertTokenizer.encode');
    const addSpecial = options.addSpecialTokens ?? true;
    const prefix = addSpecial ? this.parts.prefixIds : [];
    const suffix = addSpecial ? this.parts.suffixIds : [];
    const limit = this.lengthLimit(options);
    const inputIds = prefix.slice();
    this.encoder.encodeInto(text, inputIds);
    if (limit !== undefined) {
      const room = limit - prefix.length - suffix.length;
      if (room < 0) throw new RangeError(`maxLength ${limit} leaves no room for the ${prefix.length + suffix.length} special tokens`);
      if (inputIds.length > prefix.length + room) inputIds.length = prefix.length + room;
    }
    for (const id of suffix) inputIds.push(id);
    const attentionMask: number[] = [];
    for (let i = 0; i < inputIds.length; i++) attentionMask.push(1);
    return { inputIds, attentionMask };
  }

  /** texts: [B] → B encodings, each as encode() gives it (no padding: the collator pads). */
  encodeBatch(texts: readonly string[], options: EncodeOptions = {}): Encoding[] {
    if (!Array.isArray(texts)) throw new TypeError(`BertTokenizer.encodeBatch: texts must be an array of strings, got ${describeValue(texts)}`);
    return texts.map((t) => this.encode(t, options));
  }

  /** ids → text, as the matching HF tokenizer's decode() does (lower-cased, accents gone). */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const { vocab, unkToken } = this.parts;
    const skip = options.skipSpecialTokens ?? false;
    const cleanUp = options.cleanUpTokenizationSpaces ?? this.parts.cleanUpTokenizationSpaces;
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      let token = vocab.tokens[id];
      if (this.flavour === 'python') {
        // transformers' ids_to_tokens lacks ids it cannot reach (out of range, or a duplicate's
        // earlier line) and answers the unk token for them; tokenizers skips unknown ids.
        if (token === undefined || vocab.ids.get(token) !== id) token = unkToken;
      } else if (token === undefined) continue;
      if (skip && this.specialStrings.has(token)) continue;
      tokens.push(token);
    }
    return this.flavour === 'python' ? decodePython(tokens, cleanUp) : decodeRust(tokens, this.parts.rustDecoder, cleanUp);
  }

  /** The tokenizer's files as save_pretrained writes them: vocab.txt, tokenizer_config.json, special_tokens_map.json (+ tokenizer.json). */
  saveFiles(): Map<string, Uint8Array> {
    const p = this.parts;
    return tokenizerFiles({
      flavour: p.flavour,
      vocabTokens: p.vocab.tokens,
      specialNames: { ...p.names, unk: p.unkToken, mask: this.maskTokenId === undefined ? undefined : p.names.mask },
      addedTokens: p.added,
      doLowerCase: p.basic.lowercase,
      stripAccents: p.flavour === 'python' ? p.config.stripAccents : (p.tokenizerJson && rustStripAccents(p.tokenizerJson)) ?? null,
      tokenizeChineseChars: p.basic.handleChineseChars,
      modelMaxLength: this.modelMaxLength,
      cleanUpTokenizationSpaces: p.cleanUpTokenizationSpaces,
      loadedConfig: p.config.raw,
      tokenizerJson: p.tokenizerJson,
    });
  }

  private lengthLimit(options: EncodeOptions): number | undefined {
    const { truncation, maxLength } = options;
    if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1)) {
      throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
    }
    if (truncation === false) return undefined;
    if (truncation === true) {
      const limit = maxLength ?? this.modelMaxLength;
      return Number.isFinite(limit) ? limit : undefined;
    }
    return maxLength;
  }
}

/** Reads tokenizer_config.json, with special_tokens_map.json filling in token names it does not set. */
async function readConfigs(src: FileSource): Promise<string | undefined> {
  const [hasConfig, hasMap] = await Promise.all([src.exists('tokenizer_config.json'), src.exists('special_tokens_map.json')]);
  const configText = hasConfig ? await src.readText('tokenizer_config.json') : undefined;
  if (!hasMap) return configText;
  const map = parseJsonObject(await src.readText('special_tokens_map.json'), src.describe('special_tokens_map.json'));
  const config = configText === undefined ? {} : parseJsonObject(configText, src.describe('tokenizer_config.json'));
  const merged: Record<string, unknown> = { ...config };
  for (const [k, v] of Object.entries(map)) if (k.endsWith('_token') && merged[k] === undefined) merged[k] = v;
  return Object.keys(merged).length === 0 ? configText : JSON.stringify(merged);
}

/** vocab.txt + config → the slow tokenizer's parts (transformers BertTokenizer defaults). */
function slowParts(vocab: Vocab, config: TokenizerConfig, where: string): Parts {
  const names = config.specialTokens;
  // all_special_tokens, split out of raw text before anything else; extra added tokens from a saved config too.
  const added: AddedToken[] = [];
  for (const token of [names.unk, names.sep, names.pad, names.cls, names.mask]) {
    const id = vocab.ids.get(token);
    if (id !== undefined && !added.some((t) => t.content === token)) added.push({ content: token, id, special: true });
  }
  const decoder = config.raw.added_tokens_decoder;
  if (isObject(decoder)) {
    for (const [idText, entry] of Object.entries(decoder)) {
      if (!isObject(entry) || typeof entry.content !== 'string') continue;
      const id = Number(idText);
      if (vocab.tokens[id] !== entry.content) {
        throw new Error(`tokenizer_config.json: added_tokens_decoder["${idText}"] is "${entry.content}" but ${where} line ${id + 1} is ${JSON.stringify(vocab.tokens[id] ?? null)}`);
      }
      if (!added.some((t) => t.content === entry.content)) added.push({ content: entry.content, id, special: entry.special !== false });
    }
  }
  return {
    flavour: 'python',
    vocab,
    basic: {
      flavour: 'python',
      cleanText: true,
      handleChineseChars: config.tokenizeChineseChars,
      lowercase: config.doLowerCase,
      stripAccents: config.stripAccents ?? config.doLowerCase,
    },
    unkToken: names.unk,
    continuingSubwordPrefix: '##',
    maxInputCharsPerWord: 100,
    names,
    added,
    prefixIds: [requireTokenId(vocab.ids, names.cls, 'classifier', where)],
    suffixIds: [requireTokenId(vocab.ids, names.sep, 'separator', where)],
    rustDecoder: null,
    config,
    // BertTokenizer's own default is True (unlike the fast class).
    cleanUpTokenizationSpaces: config.cleanUpTokenizationSpaces ?? true,
    where,
  };
}

/** tokenizer.json + config → the fast tokenizer's parts. */
function fastParts(jsonText: string, config: TokenizerConfig, where: string): Parts {
  const spec = parseTokenizerJson(jsonText, where);
  const norm = spec.normalizer ?? { cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false };
  // BertTokenizerFast rebuilds the normalizer when tokenizer_config.json disagrees with it. We apply
  // only keys the config actually sets (HF would also apply its class defaults; see report).
  if (spec.normalizer) {
    if (config.present.has('do_lower_case')) norm.lowercase = config.doLowerCase;
    if (config.present.has('strip_accents')) norm.stripAccents = config.stripAccents;
    if (config.present.has('tokenize_chinese_chars')) norm.handleChineseChars = config.tokenizeChineseChars;
    const n = spec.raw.normalizer as Record<string, unknown>;
    n.lowercase = norm.lowercase;
    n.strip_accents = norm.stripAccents;
    n.handle_chinese_chars = norm.handleChineseChars;
  }
  if (spec.prefixIds.length + spec.suffixIds.length === 0 && spec.raw.post_processor !== null && spec.raw.post_processor !== undefined) {
    throw new Error(`${where}: field "post_processor" adds no special tokens`);
  }
  const names: SpecialTokenNames = { ...config.specialTokens, unk: spec.unkToken };
  return {
    flavour: 'rust',
    vocab: spec.vocab,
    basic: {
      flavour: 'rust',
      cleanText: norm.cleanText,
      handleChineseChars: norm.handleChineseChars,
      lowercase: norm.lowercase,
      stripAccents: norm.stripAccents ?? norm.lowercase,
    },
    unkToken: spec.unkToken,
    continuingSubwordPrefix: spec.continuingSubwordPrefix,
    maxInputCharsPerWord: spec.maxInputCharsPerWord,
    names,
    added: spec.addedTokens.map((t) => ({ content: t.content, id: t.id, special: t.special })),
    prefixIds: spec.prefixIds,
    suffixIds: spec.suffixIds,
    rustDecoder: spec.decoder,
    config,
    // PreTrainedTokenizerFast's default is False (transformers ≥ 4.45); the WordPiece decoder cleans up anyway.
    cleanUpTokenizationSpaces: config.cleanUpTokenizationSpaces ?? false,
    tokenizerJson: spec.raw,
    where,
  };
}

function rustStripAccents(raw: Record<string, unknown>): boolean | null {
  const n = raw.normalizer;
  return isObject(n) && typeof n.strip_accents === 'boolean' ? n.strip_accents : null;
}
