// The files save_pretrained writes for a byte-level BPE (RoBERTa) tokenizer, byte for byte where we can: vocab.json and
// merges.txt as tokenizers' BPE model saves them (compact JSON by id; "#version: 0.2" then one merge per line),
// tokenizer.json as tokenizers serialises it (a vocab.json + merges.txt tokenizer gets the one transformers'
// RobertaTokenizer builds), tokenizer_config.json and special_tokens_map.json as transformers writes them. So a saved
// directory reloads in transformers (either layout) and in transformers.js (tokenizer.json).

import type { BpeParts } from './bpe_parts.js';
import {
  addedTokensDecoder,
  addedTokensJson,
  carriedConfig,
  orderedJson,
  OrderedObject,
  prettyJson,
  type JsonObject,
  type JsonValue,
} from './save.js';
import { VERY_LARGE_INTEGER } from './vocab.js';

/** parts, modelMaxLength → file name → bytes. */
export function bpeTokenizerFiles(parts: BpeParts, modelMaxLength: number): Map<string, Uint8Array> {
  const utf8 = new TextEncoder();
  const files = new Map<string, Uint8Array>();
  files.set('vocab.json', utf8.encode(`{${parts.vocab.tokens.map((t, i) => `${JSON.stringify(t)}:${i}`).join(',')}}`));
  files.set('merges.txt', utf8.encode(`#version: 0.2\n${parts.merges.map(([a, b]) => `${a} ${b}\n`).join('')}`));
  files.set('tokenizer.json', utf8.encode(prettyJson(tokenizerJson(parts))));
  files.set('tokenizer_config.json', utf8.encode(prettyJson(tokenizerConfig(parts, modelMaxLength)) + '\n'));
  files.set('special_tokens_map.json', utf8.encode(prettyJson(specialTokensMap(parts)) + '\n'));
  return files;
}

/** Role (bos_token, …) → token. */
function specialTokenNames(parts: BpeParts): JsonObject {
  const n = parts.config.specialTokens;
  const map: JsonObject = {
    cls_token: n.cls,
    pad_token: n.pad,
    sep_token: n.sep,
    unk_token: n.unk,
    mask_token: n.mask,
  };
  if (n.bos !== undefined) map.bos_token = n.bos;
  if (n.eos !== undefined) map.eos_token = n.eos;
  return map;
}

/** special_tokens_map.json; a mask token that takes the space before it as transformers 4 writes that AddedToken. */
function specialTokensMap(parts: BpeParts): JsonObject {
  const map = specialTokenNames(parts);
  const mask = parts.added.find((t) => t.content === map.mask_token);
  if (mask?.lstrip)
    map.mask_token = {
      content: mask.content,
      lstrip: true,
      normalized: false,
      rstrip: mask.rstrip ?? false,
      single_word: false,
    };
  return map;
}

function tokenizerConfig(parts: BpeParts, modelMaxLength: number): JsonObject {
  const config = carriedConfig(parts.config.raw);
  const klass =
    typeof config.tokenizer_class === 'string' ? config.tokenizer_class.replace(/Fast$/, '') : 'RobertaTokenizer';
  Object.assign(config, specialTokenNames(parts), {
    add_prefix_space: parts.addPrefixSpace,
    added_tokens_decoder: addedTokensDecoder(parts.added),
    clean_up_tokenization_spaces: parts.cleanUpTokenizationSpaces,
    errors: typeof config.errors === 'string' ? config.errors : 'replace',
    extra_special_tokens: {},
    model_max_length: Number.isFinite(modelMaxLength) ? modelMaxLength : VERY_LARGE_INTEGER,
    tokenizer_class: klass,
    trim_offsets: parts.trimOffsets,
  });
  return config;
}

/** The tokenizer.json: the loaded one re-written in tokenizers' order, or the one RobertaTokenizer builds. */
function tokenizerJson(parts: BpeParts): OrderedObject {
  const raw = parts.tokenizerJson;
  const m = parts.model;
  const { cls, sep } = parts.config.specialTokens;
  const byteLevel = (addPrefixSpace: boolean): OrderedObject =>
    new OrderedObject([
      ['type', 'ByteLevel'],
      ['add_prefix_space', addPrefixSpace],
      ['trim_offsets', parts.trimOffsets],
      ['use_regex', parts.useRegex],
    ]);
  const processor = new OrderedObject([
    ['type', 'RobertaProcessing'],
    ['sep', [sep, parts.vocab.ids.get(sep)!]],
    ['cls', [cls, parts.vocab.ids.get(cls)!]],
    ['trim_offsets', parts.trimOffsets],
    ['add_prefix_space', parts.addPrefixSpace],
  ]);
  return new OrderedObject([
    ['version', orderedJson(raw?.version ?? '1.0')],
    // transformers resets truncation and padding before saving.
    ['truncation', null],
    ['padding', null],
    ['added_tokens', addedTokensJson(parts.added)],
    ['normalizer', null],
    ['pre_tokenizer', byteLevel(parts.addPrefixSpace)],
    ['post_processor', raw ? withPrefixSpace(raw.post_processor, parts.addPrefixSpace) : processor],
    [
      'decoder',
      raw
        ? orderedJson(raw.decoder ?? null)
        : new OrderedObject([
            ['type', 'ByteLevel'],
            ['add_prefix_space', true],
            ['trim_offsets', true],
            ['use_regex', true],
          ]),
    ],
    [
      'model',
      new OrderedObject([
        ['type', 'BPE'],
        ['dropout', m.dropout],
        ['unk_token', m.unkToken],
        ['continuing_subword_prefix', m.continuingSubwordPrefix],
        ['end_of_word_suffix', m.endOfWordSuffix],
        ['fuse_unk', m.fuseUnk],
        ['byte_fallback', m.byteFallback],
        ['ignore_merges', m.ignoreMerges],
        ['vocab', new OrderedObject(parts.vocab.tokens.map((t, i): [string, JsonValue] => [t, i]))],
        ['merges', parts.merges.map(([a, b]) => [a, b])],
      ]),
    ],
  ]);
}

/** A loaded post_processor, its add_prefix_space set to the tokenizer's (RobertaTokenizerFast keeps them in step). */
function withPrefixSpace(processor: unknown, addPrefixSpace: boolean): JsonValue {
  const out = orderedJson(processor ?? null);
  if (out instanceof OrderedObject) {
    for (const entry of out.entries) if (entry[0] === 'add_prefix_space') entry[1] = addPrefixSpace;
  }
  return out;
}
