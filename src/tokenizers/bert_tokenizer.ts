// The public BERT (uncased WordPiece) tokenizer, with Hugging Face parity on two loading paths:
// - vocab.txt (+ tokenizer_config.json): transformers' slow BertTokenizer / DistilBertTokenizer;
// - tokenizer.json (+ tokenizer_config.json): the Rust `tokenizers` behind DistilBertTokenizerFast.
// They give the same ids except for U+2B820–U+2B91F (see unicode.ts isCjk), in decode() and in how longest_first
// shares a pair's room. A vocab.txt whose tokenizer_config.json says `"backend": "tokenizers"` (transformers 5, where
// BertTokenizer is the fast tokenizer built from the vocab) loads as the fast tokenizer converted from it.

import { optionsObject } from '../util/check.js';
import type { FileSource, SourceOptions } from '../io/files.js';
import { openModelSource } from '../io/progress.js';
import type { BasicOptions, Flavour } from './basic.js';
import type { AddedToken } from './added_tokens.js';
import { readTokenizerConfigText } from './config_files.js';
import { decodePython, decodeRust } from './decode.js';
import { Encoder } from './encoder.js';
import { bertTemplates, specialCount, type Templates } from './post_process.js';
import { tokenizerFiles } from './save.js';
import { convertedTokenizerJson } from './slow_to_fast.js';
import { TemplateTokenizer } from './template_tokenizer.js';
import type { DecodeOptions, ModelInputName } from './tokenizer.js';
import { requireFamily, resolveModelInputNames } from './tokenizer_classes.js';
import { parseTokenizerJson } from './tokenizer_json.js';
import { splitterTokens } from './tokenizer_json_parts.js';
import {
  configAddedTokens,
  isObject,
  parseTokenizerConfig,
  parseVocabTxt,
  requireTokenId,
  type SpecialTokenNames,
  type TokenizerConfig,
  type Vocab,
} from './vocab.js';
import { WordPiece } from './wordpiece.js';

export type { DecodeOptions, EncodeOptions, Encoding } from './tokenizer.js';

export interface LoadOptions extends SourceOptions {
  /** Which file defines the tokenizer; default tokenizer.json when present (like AutoTokenizer), else vocab.txt. */
  use?: 'vocab' | 'tokenizer.json';
  /** config.json's model_type; picks model_input_names when tokenizer_config.json names no tokenizer_class. */
  modelType?: string;
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
  /** HF's tokenizer_class, e.g. 'BertTokenizer' (returns token_type_ids) or 'DistilBertTokenizer' (the default). */
  tokenizerClass?: string;
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
  templates: Templates;
  rustDecoder: { prefix: string; cleanup: boolean } | null;
  config: TokenizerConfig;
  cleanUpTokenizationSpaces: boolean;
  tokenizerJson?: Record<string, unknown>;
  where: string;
}

export class BertTokenizer extends TemplateTokenizer {
  readonly kind = 'wordpiece';
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
  readonly modelInputNames: readonly ModelInputName[];

  protected readonly className = 'BertTokenizer';
  protected readonly vocabTokens: readonly string[];
  protected readonly templates: Templates;
  protected readonly truncationFlavour: Flavour;
  private readonly encoder: Encoder;
  private readonly specialStrings: Set<string>;

  private constructor(
    private readonly parts: Parts,
    modelType?: string,
  ) {
    super();
    const { vocab, names, where } = parts;
    this.vocabTokens = vocab.tokens;
    this.templates = parts.templates;
    this.truncationFlavour = parts.flavour;
    this.flavour = parts.flavour;
    requireFamily(parts.config.raw, 'wordpiece', where);
    this.modelInputNames = resolveModelInputNames(parts.config.raw, modelType, where);
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
    const configText = await readTokenizerConfigText(src);
    const config = parseTokenizerConfig(configText, src.describe('tokenizer_config.json'));
    requireFamily(config.raw, 'wordpiece', src.describe(''));
    const text = await src.readText(file);
    const where = src.describe(file);
    if (use === 'vocab')
      return new BertTokenizer(vocabParts(parseVocabTxt(text, where), config, where), options.modelType);
    return new BertTokenizer(fastParts(text, config, where), options.modelType);
  }

  /** text: vocab.txt contents → a slow-path (transformers BertTokenizer) tokenizer, in memory. */
  static fromVocab(text: string, options: VocabOptions = {}): BertTokenizer {
    const where = options.source ?? 'vocab.txt';
    const raw: Record<string, unknown> = {};
    if (options.doLowerCase !== undefined) raw.do_lower_case = options.doLowerCase;
    if (options.stripAccents !== undefined) raw.strip_accents = options.stripAccents;
    if (options.tokenizeChineseChars !== undefined) raw.tokenize_chinese_chars = options.tokenizeChineseChars;
    if (options.modelMaxLength !== undefined) raw.model_max_length = options.modelMaxLength;
    if (options.cleanUpTokenizationSpaces !== undefined)
      raw.clean_up_tokenization_spaces = options.cleanUpTokenizationSpaces;
    if (options.tokenizerClass !== undefined) raw.tokenizer_class = options.tokenizerClass;
    for (const [role, token] of Object.entries(options.specialTokens ?? {})) raw[`${role}_token`] = token;
    const config = parseTokenizerConfig(JSON.stringify(raw), `${where} (options)`);
    return new BertTokenizer(slowParts(parseVocabTxt(text, where), config, where));
  }

  /** jsonText: tokenizer.json contents (+ tokenizer_config.json) → a fast-path (tokenizers) tokenizer. */
  static fromTokenizerJson(
    jsonText: string,
    configText?: string,
    where = 'tokenizer.json',
    configWhere = 'tokenizer_config.json',
  ): BertTokenizer {
    return new BertTokenizer(fastParts(jsonText, parseTokenizerConfig(configText, configWhere), where));
  }

  /** text → WordPiece tokens without [CLS]/[SEP], e.g. "Hello, world!" → ["hello", ",", "world", "!"]. */
  tokenize(text: string): string[] {
    const tokens = this.parts.vocab.tokens;
    const ids: number[] = [];
    this.encoder.encodeInto(text, ids);
    return ids.map((id) => tokens[id]!);
  }

  /** text → content ids, cut after the first word that reaches `cap` tokens (a word: a token without the ## prefix). */
  protected contentIds(text: string, cap: number | undefined): number[] {
    const ids: number[] = [];
    this.encoder.encodeInto(text, ids);
    if (cap === undefined || ids.length <= cap) return ids;
    const { tokens } = this.parts.vocab;
    const prefix = this.parts.continuingSubwordPrefix;
    let end = cap;
    while (end < ids.length && tokens[ids[end]!]!.startsWith(prefix)) end++;
    ids.length = end;
    return ids;
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
    return this.flavour === 'python'
      ? decodePython(tokens, cleanUp)
      : decodeRust(tokens, this.parts.rustDecoder, cleanUp);
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
      stripAccents:
        p.flavour === 'python'
          ? p.config.stripAccents
          : ((p.tokenizerJson && rustStripAccents(p.tokenizerJson)) ?? null),
      tokenizeChineseChars: p.basic.handleChineseChars,
      modelMaxLength: this.modelMaxLength,
      cleanUpTokenizationSpaces: p.cleanUpTokenizationSpaces,
      loadedConfig: p.config.raw,
      tokenizerJson: p.tokenizerJson,
    });
  }
}

/** vocab.txt + config → the slow tokenizer's parts, or (transformers 5 config) the fast one converted from it. */
function vocabParts(vocab: Vocab, config: TokenizerConfig, where: string): Parts {
  if (config.raw.backend === 'tokenizers') {
    const converted = convertedParts(vocab, config, where);
    if (converted) return converted;
  }
  return slowParts(vocab, config, where);
}

/**
 * The special tokens (all_special_tokens) that are split out of raw text before anything else, plus the added tokens
 * a saved config lists (added_tokens_decoder), each with its id in `vocab`.
 */
function specialAddedTokens(vocab: Vocab, config: TokenizerConfig, where: string): AddedToken[] {
  const names = config.specialTokens;
  const added: AddedToken[] = [];
  for (const token of [names.unk, names.sep, names.pad, names.cls, names.mask]) {
    const id = vocab.ids.get(token);
    if (id !== undefined && !added.some((t) => t.content === token)) added.push({ content: token, id, special: true });
  }
  for (const t of configAddedTokens(config, vocab, (id) => `${where} line ${id + 1}`)) {
    if (!added.some((a) => a.content === t.content)) added.push(t);
  }
  return added;
}

/** vocab.txt + config → the slow tokenizer's parts (transformers BertTokenizer defaults). */
function slowParts(vocab: Vocab, config: TokenizerConfig, where: string): Parts {
  const names = config.specialTokens;
  const added = specialAddedTokens(vocab, config, where);
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
    templates: bertTemplates(
      requireTokenId(vocab.ids, names.cls, 'classifier', where),
      requireTokenId(vocab.ids, names.sep, 'separator', where),
    ),
    rustDecoder: null,
    config,
    // BertTokenizer's own default is True (unlike the fast class).
    cleanUpTokenizationSpaces: config.cleanUpTokenizationSpaces ?? true,
    where,
  };
}

/**
 * vocab.txt + config → the fast tokenizer transformers' converter (and transformers 5's BertTokenizer) builds from them,
 * or undefined when the vocab repeats a line (a tokenizer.json cannot hold that).
 */
function convertedParts(vocab: Vocab, config: TokenizerConfig, where: string): Parts | undefined {
  const names = config.specialTokens;
  requireTokenId(vocab.ids, names.cls, 'classifier', where);
  requireTokenId(vocab.ids, names.sep, 'separator', where);
  const json = convertedTokenizerJson({
    vocabTokens: vocab.tokens,
    unkToken: names.unk,
    clsToken: names.cls,
    sepToken: names.sep,
    doLowerCase: config.doLowerCase,
    stripAccents: config.stripAccents,
    tokenizeChineseChars: config.tokenizeChineseChars,
  });
  if (!json) return undefined;
  (json.model as Record<string, unknown>).vocab = Object.fromEntries(vocab.tokens.map((t, i) => [t, i]));
  json.added_tokens = specialAddedTokens(vocab, config, where).map((t) => ({ ...t, normalized: false }));
  return fastParts(json, config, where);
}

/** tokenizer.json (text or parsed) + config → the fast tokenizer's parts. */
function fastParts(jsonText: string | Record<string, unknown>, config: TokenizerConfig, where: string): Parts {
  const spec = parseTokenizerJson(jsonText, where);
  const norm = spec.normalizer ?? {
    cleanText: false,
    handleChineseChars: false,
    stripAccents: false,
    lowercase: false,
  };
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
  if (
    specialCount(spec.templates.single) === 0 &&
    spec.raw.post_processor !== null &&
    spec.raw.post_processor !== undefined
  ) {
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
    added: splitterTokens(spec.addedTokens),
    templates: spec.templates,
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
