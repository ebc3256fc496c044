// The public byte-level BPE tokenizer (RoBERTa; GPT-2's model and pre-tokenizer), with Hugging Face parity from both
// layouts: tokenizer.json (the Rust `tokenizers`, what transformers runs), or vocab.json + merges.txt (+
// tokenizer_config.json), built as transformers' RobertaTokenizer builds its tokenizers object from them.
// Special tokens written in the text are recognised first; each remaining segment gets the optional prefix space, is
// split by GPT-2's regex, and each piece goes through BPE. Templates `<s> A </s>`, `<s> A </s></s> B </s>`.

import type { FileSource } from '../io/files.js';
import { openModelSource } from '../io/progress.js';
import { optionsObject } from '../util/check.js';
import { AddedTokenSplitter, type AddedToken } from './added_tokens.js';
import type { LoadOptions } from './bert_tokenizer.js';
import { BpeModel } from './bpe.js';
import { parseBpeTokenizerJson, parseMergesTxt, parseVocabJson } from './bpe_files.js';
import type { BpeParts } from './bpe_parts.js';
import { bpeTokenizerFiles } from './bpe_save.js';
import { byteLevelDecode, GPT2_PATTERN } from './byte_level.js';
import { readTokenizerConfigText } from './config_files.js';
import { cleanUpTokenization } from './decode.js';
import { robertaTemplates, type Templates } from './post_process.js';
import { TemplateTokenizer } from './template_tokenizer.js';
import type { DecodeOptions, ModelInputName } from './tokenizer.js';
import { requireFamily, resolveModelInputNames } from './tokenizer_classes.js';
import { splitterTokens } from './tokenizer_json_parts.js';
import {
  configAddedTokens,
  parseTokenizerConfig,
  ROBERTA_SPECIAL_TOKENS,
  type TokenizerConfig,
  type Vocab,
} from './vocab.js';

export type { BpeParts } from './bpe_parts.js';

export class RobertaTokenizer extends TemplateTokenizer {
  readonly kind = 'bpe';
  readonly padTokenId: number;
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly unkTokenId: number | undefined;
  readonly maskTokenId: number | undefined;
  readonly vocabSize: number;
  readonly modelMaxLength: number;
  readonly modelInputNames: readonly ModelInputName[];
  /** A space is put before each text, so its first word is tokenized like the others (" Hello" → "ĠHello"). */
  readonly addPrefixSpace: boolean;

  protected readonly className = 'RobertaTokenizer';
  protected readonly vocabTokens: readonly string[];
  protected readonly templates: Templates;
  protected readonly truncationFlavour = 'rust';
  private readonly bpe: BpeModel;
  private readonly splitter: AddedTokenSplitter;
  private readonly specialIds: Set<number>;

  private constructor(
    private readonly parts: BpeParts,
    modelType?: string,
  ) {
    super();
    const { vocab, config, where } = parts;
    this.vocabTokens = vocab.tokens;
    this.templates = parts.templates;
    requireFamily(config.raw, 'bpe', where);
    const names = config.specialTokens;
    const need = (token: string, role: string): number => {
      const id = vocab.ids.get(token);
      if (id === undefined)
        throw new Error(`${where}: the vocabulary has no ${role} token "${token}" (RoBERTa needs <s>, </s> and <pad>)`);
      return id;
    };
    this.clsTokenId = need(names.cls, 'classifier');
    this.sepTokenId = need(names.sep, 'separator');
    this.padTokenId = need(names.pad, 'padding');
    this.unkTokenId = vocab.ids.get(names.unk);
    this.maskTokenId = vocab.ids.get(names.mask);
    this.vocabSize = vocab.tokens.length;
    this.modelMaxLength = config.modelMaxLength;
    this.addPrefixSpace = parts.addPrefixSpace;
    this.modelInputNames = resolveModelInputNames(config.raw, modelType, where);
    const unkId = parts.model.unkToken === null ? undefined : vocab.ids.get(parts.model.unkToken);
    this.bpe = new BpeModel({ vocab, merges: parts.merges, unkId, mergesWhere: where });
    this.splitter = new AddedTokenSplitter(parts.added);
    this.specialIds = new Set(parts.added.filter((t) => t.special).map((t) => t.id));
  }

  /**
   * location: a directory (Node), a base URL (browser) or a FileSource → tokenizer. Reads tokenizer.json, or
   * vocab.json + merges.txt (see LoadOptions.use), plus tokenizer_config.json and special_tokens_map.json when present.
   */
  static async fromPretrained(location: string | FileSource, options: LoadOptions = {}): Promise<RobertaTokenizer> {
    options = optionsObject(options, 'RobertaTokenizer.fromPretrained');
    const src = openModelSource(location, options, 'RobertaTokenizer.fromPretrained: location');
    const [hasJson, hasVocab, hasMerges] = await Promise.all(
      ['tokenizer.json', 'vocab.json', 'merges.txt'].map((f) => src.exists(f)),
    );
    if (!hasJson && !(hasVocab && hasMerges)) {
      throw new Error(
        `${src.describe('')}: no byte-level BPE tokenizer here (neither tokenizer.json nor vocab.json + merges.txt exists)`,
      );
    }
    const use = options.use ?? (hasJson ? 'tokenizer.json' : 'vocab');
    const configText = await readTokenizerConfigText(src);
    const config = parseBpeConfig(configText, src.describe('tokenizer_config.json'));
    requireFamily(config.raw, 'bpe', src.describe(''));
    if (use === 'tokenizer.json') {
      if (!hasJson) throw new Error(`${src.describe('tokenizer.json')}: file not found`);
      const text = await src.readText('tokenizer.json');
      return new RobertaTokenizer(jsonParts(text, config, src.describe('tokenizer.json')), options.modelType);
    }
    for (const [file, has] of [
      ['vocab.json', hasVocab],
      ['merges.txt', hasMerges],
    ] as const) {
      if (!has) throw new Error(`${src.describe(file)}: file not found`);
    }
    const [vocabText, mergesText] = await Promise.all([src.readText('vocab.json'), src.readText('merges.txt')]);
    const vocab = parseVocabJson(vocabText, src.describe('vocab.json'));
    const merges = parseMergesTxt(mergesText, src.describe('merges.txt'));
    return new RobertaTokenizer(filesParts(vocab, merges, config, src.describe('merges.txt')), options.modelType);
  }

  /** jsonText: tokenizer.json contents (+ tokenizer_config.json) → tokenizer, in memory. */
  static fromTokenizerJson(jsonText: string, configText?: string, where = 'tokenizer.json'): RobertaTokenizer {
    return new RobertaTokenizer(jsonParts(jsonText, parseBpeConfig(configText, 'tokenizer_config.json'), where));
  }

  /** vocab.json and merges.txt contents (+ tokenizer_config.json) → tokenizer, in memory. */
  static fromVocabAndMerges(vocabJson: string, mergesTxt: string, configText?: string): RobertaTokenizer {
    const config = parseBpeConfig(configText, 'tokenizer_config.json');
    return new RobertaTokenizer(
      filesParts(
        parseVocabJson(vocabJson, 'vocab.json'),
        parseMergesTxt(mergesTxt, 'merges.txt'),
        config,
        'merges.txt',
      ),
    );
  }

  /** text → BPE tokens without <s>/</s>, e.g. "Hello world" → ["Hello", "Ġworld"] (with this vocabulary's merges). */
  tokenize(text: string): string[] {
    return this.convertIdsToTokens(this.contentIds(text));
  }

  /** ids → text: tokenizers' ByteLevel decoder (spaces, bytes restored), optional clean-up; unknown ids skipped. */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const skip = options.skipSpecialTokens ?? false;
    const cleanUp = options.cleanUpTokenizationSpaces ?? this.parts.cleanUpTokenizationSpaces;
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const token = this.parts.vocab.tokens[ids[i]!];
      if (token === undefined || (skip && this.specialIds.has(ids[i]!))) continue;
      tokens.push(token);
    }
    const text = this.parts.byteLevelDecoder ? byteLevelDecode(tokens) : tokens.join(' ');
    return cleanUp ? cleanUpTokenization(text) : text;
  }

  /** save_pretrained's files: vocab.json, merges.txt, tokenizer.json, tokenizer_config.json, special_tokens_map.json */
  saveFiles(): Map<string, Uint8Array> {
    return bpeTokenizerFiles(this.parts, this.modelMaxLength);
  }

  /**
   * text → content ids: added tokens first, then per segment prefix space, GPT-2 split and BPE. Stops before the next
   * piece once it holds `cap` ids or more (tokenizers' early stop; see truncationLimit).
   */
  protected contentIds(text: string, cap = Infinity): number[] {
    const out: number[] = [];
    // tokenizers pre-tokenizes an empty text as one empty segment (which add_prefix_space turns into " ").
    const parts = text === '' ? [''] : this.splitter.split(text);
    for (const part of parts) {
      if (out.length >= cap) break;
      if (typeof part === 'number') {
        out.push(part);
        continue;
      }
      const segment = this.addPrefixSpace && !part.startsWith(' ') ? ' ' + part : part;
      if (!this.parts.useRegex) {
        if (segment !== '') this.bpe.encodePiece(segment, out);
        continue;
      }
      const re = GPT2_PATTERN;
      re.lastIndex = 0;
      for (let m = re.exec(segment); m !== null && out.length < cap; m = re.exec(segment))
        this.bpe.encodePiece(m[0], out);
    }
    return out;
  }
}

/** tokenizer_config.json text → config with RobertaTokenizer's default token names. */
function parseBpeConfig(text: string | undefined, where: string): TokenizerConfig {
  return parseTokenizerConfig(text, where, ROBERTA_SPECIAL_TOKENS);
}

/** A boolean the config sets, else `fallback` (transformers passes tokenizer_config.json's keys to the class). */
function configFlag(config: TokenizerConfig, key: string, fallback: boolean): boolean {
  const v = config.raw[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean')
    throw new Error(`tokenizer_config.json: field "${key}" must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** tokenizer.json + config → parts. A config's add_prefix_space overrides the file's, as RobertaTokenizerFast does. */
function jsonParts(text: string, config: TokenizerConfig, where: string): BpeParts {
  const spec = parseBpeTokenizerJson(text, where);
  return {
    vocab: spec.vocab,
    merges: spec.merges,
    model: spec.model,
    added: splitterTokens(spec.addedTokens),
    addPrefixSpace: configFlag(config, 'add_prefix_space', spec.addPrefixSpace),
    trimOffsets: configFlag(config, 'trim_offsets', spec.trimOffsets),
    useRegex: spec.useRegex,
    templates: spec.templates,
    byteLevelDecoder: spec.byteLevelDecoder,
    config,
    // The fast tokenizer's default is False (transformers ≥ 4.45 and 5).
    cleanUpTokenizationSpaces: config.cleanUpTokenizationSpaces ?? false,
    tokenizerJson: spec.raw,
    where,
  };
}

/** vocab.json + merges.txt + config → parts, as transformers' RobertaTokenizer builds its tokenizers object. */
function filesParts(vocab: Vocab, merges: Array<[string, string]>, config: TokenizerConfig, where: string): BpeParts {
  const addPrefixSpace = configFlag(config, 'add_prefix_space', false);
  const need = (token: string): number => {
    const id = vocab.ids.get(token);
    if (id === undefined)
      throw new Error(`${where}: the vocabulary has no token "${token}" (RoBERTa needs <s>, </s> and <pad>)`);
    return id;
  };
  const names = config.specialTokens;
  return {
    vocab,
    merges,
    model: {
      dropout: null,
      unkToken: null,
      continuingSubwordPrefix: '',
      endOfWordSuffix: '',
      fuseUnk: false,
      byteFallback: false,
      ignoreMerges: false,
    },
    added: specialTokensOf(vocab, config),
    addPrefixSpace,
    trimOffsets: configFlag(config, 'trim_offsets', true),
    useRegex: true,
    templates: robertaTemplates(need(names.cls), need(names.sep)),
    byteLevelDecoder: true,
    config,
    cleanUpTokenizationSpaces: config.cleanUpTokenizationSpaces ?? false,
    where,
  };
}

/**
 * The special tokens of a vocab.json layout: added_tokens_decoder's entries when the config lists them, else the named
 * tokens. <mask> takes the space before it (lstrip) in transformers 4's RobertaTokenizer but not in transformers 5's
 * (a config with "backend": "tokenizers").
 */
function specialTokensOf(vocab: Vocab, config: TokenizerConfig): AddedToken[] {
  const added = configAddedTokens(config, vocab, (id) => `vocab.json's id ${id}`);
  const n = config.specialTokens;
  const maskLstrip = config.raw.backend !== 'tokenizers';
  for (const token of [n.bos, n.eos, n.unk, n.sep, n.pad, n.cls, n.mask]) {
    const id = token === undefined ? undefined : vocab.ids.get(token);
    if (id === undefined || added.some((t) => t.content === token)) continue;
    added.push({ content: token!, id, special: true, lstrip: token === n.mask && maskLstrip });
  }
  return added;
}
