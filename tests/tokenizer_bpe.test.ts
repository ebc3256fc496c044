// Byte-level BPE (RoBERTa) against golden/tiny-roberta (transformers 5.18, tokenizers 0.23, a 2000-token BPE trained on
// IMDb): 215 cases (the last 40 pairs) from tokenizer.json and from vocab.json + merges.txt, the padded pair batch of
// inputs.json through the collator, saving, and the behaviours the golden cases do not reach.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import './helpers/node_files.js';
import { DataCollatorWithPadding } from '../src/data/collator.js';
import { MemoryFileSource } from '../src/io/files.js';
import { AutoTokenizer, BYTE_TO_CHAR, RobertaTokenizer, splitGpt2, type Tokenizer } from '../src/tokenizers/index.js';
import { collateGoldenPairs, rowsOf, type GoldenBatch } from './helpers/golden_pairs.js';

const TINY_ROBERTA = fileURLToPath(new URL('../../shared/golden/tiny-roberta', import.meta.url));
const golden = (name: string): string => readFileSync(`${TINY_ROBERTA}/${name}`, 'utf8');
const utf8 = new TextEncoder();

interface GoldenCase {
  text: string;
  text_pair?: string;
  max_length: number;
  input_ids: number[];
  tokens?: string[];
  decoded?: string;
}

const cases = JSON.parse(golden('tokenizer_cases.json')) as GoldenCase[];

function parity(tok: Tokenizer, list: readonly GoldenCase[]): { same: number; differ: string[] } {
  const differ: string[] = [];
  list.forEach((c, i) => {
    const enc = tok.encode(c.text, { textPair: c.text_pair, truncation: true, maxLength: c.max_length });
    const problems: string[] = [];
    if (JSON.stringify(enc.inputIds) !== JSON.stringify(c.input_ids)) problems.push('input_ids');
    if (enc.tokenTypeIds !== undefined) problems.push('token_type_ids (RoBERTa returns none)');
    if (c.tokens && JSON.stringify(tok.convertIdsToTokens(c.input_ids)) !== JSON.stringify(c.tokens))
      problems.push('tokens');
    if (c.decoded !== undefined && tok.decode(c.input_ids, { skipSpecialTokens: true }) !== c.decoded)
      problems.push('decode');
    if (problems.length > 0) differ.push(`case ${i}: ${problems.join(', ')}`);
  });
  return { same: list.length - differ.length, differ };
}

/** A directory in memory: the golden files named, plus `extra`. */
function memoryDir(names: string[], extra: Record<string, string> = {}): MemoryFileSource {
  const files = new Map<string, Uint8Array>(names.map((n) => [n, utf8.encode(golden(n))]));
  for (const [k, v] of Object.entries(extra)) files.set(k, utf8.encode(v));
  return new MemoryFileSource(files, 'mem');
}

describe('byte-level BPE: golden tiny-roberta tokenizer_cases.json', () => {
  for (const use of ['tokenizer.json', 'vocab'] as const) {
    it(`215/215 identical from ${use === 'vocab' ? 'vocab.json + merges.txt' : 'tokenizer.json'} (ids, tokens, decode)`, async () => {
      const tok = await RobertaTokenizer.fromPretrained(TINY_ROBERTA, { use });
      expect(tok.modelInputNames).toEqual(['input_ids', 'attention_mask']);
      expect(tok.padTokenId).toBe(1);
      const { same, differ } = parity(tok, cases);
      console.log(
        `tiny-roberta from ${use}: ${same}/${cases.length} identical${differ.length ? `; ${differ.slice(0, 5).join('; ')}` : ''}`,
      );
      expect(differ).toEqual([]);
      expect(same).toBe(215);
    });
  }

  it('AutoTokenizer picks RobertaTokenizer: from tokenizer_class, from model_type, and from the files alone', async () => {
    expect(await AutoTokenizer.fromPretrained(TINY_ROBERTA)).toBeInstanceOf(RobertaTokenizer);
    const byType = await AutoTokenizer.fromPretrained(memoryDir(['tokenizer.json', 'config.json']));
    expect(byType).toBeInstanceOf(RobertaTokenizer);
    expect(parity(byType, cases.slice(-40)).same).toBe(40);
    expect(await AutoTokenizer.fromPretrained(memoryDir(['vocab.json', 'merges.txt']))).toBeInstanceOf(
      RobertaTokenizer,
    );
  });
});

describe('tiny-roberta inputs.json through the collator', () => {
  it('reproduces the padded pair batch: <s> A </s></s> B </s>, pad id 1, no token_type_ids', async () => {
    const batch0 = JSON.parse(golden('inputs.json')) as GoldenBatch;
    const tok = await AutoTokenizer.fromPretrained(TINY_ROBERTA);
    const batch = collateGoldenPairs(tok, batch0.labels);
    expect(rowsOf(batch.inputIds, batch.seqLen)).toEqual(batch0.input_ids);
    expect(rowsOf(batch.attentionMask, batch.seqLen)).toEqual(batch0.attention_mask);
    expect(batch.tokenTypeIds).toBeUndefined();
    expect(batch0.token_type_ids).toBeUndefined();
    expect([...batch.labels!]).toEqual(batch0.labels);
    // The golden rows are all 48 long; a short text shows the padding: <pad> = 1, mask 0.
    const padded = new DataCollatorWithPadding({ tokenizer: tok }).collate([
      tok.encode('Great.'),
      tok.encode('A great film.'),
    ]);
    const short = tok.encode('Great.').inputIds;
    const row0 = [...padded.inputIds.subarray(0, padded.seqLen)];
    expect(row0).toEqual([...short, ...new Array(padded.seqLen - short.length).fill(1)]);
    expect([...padded.attentionMask.subarray(0, padded.seqLen)]).toEqual([
      ...short.map(() => 1),
      ...new Array(padded.seqLen - short.length).fill(0),
    ]);
  });
});

describe('byte-level BPE behaviours', () => {
  it("GPT-2's byte table: printable bytes stand for themselves, space is Ġ, newline Ċ, 256 distinct characters", () => {
    expect(BYTE_TO_CHAR[0x41]).toBe('A');
    expect(BYTE_TO_CHAR[0x20]).toBe('Ġ');
    expect(BYTE_TO_CHAR[0x0a]).toBe('Ċ');
    // The soft hyphen (0xAD) is not printable: the 68th byte moved past U+00FF, U+0100 + 67.
    expect(BYTE_TO_CHAR[0xad]).toBe('Ń');
    expect(BYTE_TO_CHAR[0xff]).toBe('ÿ');
    expect(new Set(BYTE_TO_CHAR).size).toBe(256);
  });

  it("GPT-2's pattern with Oniguruma's \\s: U+0085 (NEL) is whitespace, U+FEFF is not (JavaScript's \\s has it the other way)", () => {
    expect(splitGpt2('rent \u0085 But \u0085.')).toEqual(['rent', ' \u0085', ' But', ' ', '\u0085', '.']);
    expect(splitGpt2('a \ufeffb')).toEqual(['a', ' \ufeff', 'b']);
    expect(splitGpt2("I'm  here 42x")).toEqual(['I', "'m", ' ', ' here', ' 42', 'x']);
  });

  it('special tokens in raw text; <mask> takes the space before it only where its AddedToken says so', async () => {
    const fromJson = await RobertaTokenizer.fromPretrained(TINY_ROBERTA);
    expect(fromJson.tokenize('<s>hi</s><pad>')).toEqual(['<s>', 'h', 'i', '</s>', '<pad>']);
    // tokenizer.json (written by transformers 5): lstrip false, so the space stays a token of its own.
    expect(fromJson.tokenize('a <mask>')).toEqual(['a', 'Ġ', '<mask>']);
    // vocab.json + merges.txt with a transformers 4 config (no "backend"): RobertaTokenizer's <mask> has lstrip=True.
    const v4 = await RobertaTokenizer.fromPretrained(
      memoryDir(['vocab.json', 'merges.txt'], { 'tokenizer_config.json': '{"model_max_length": 128}' }),
    );
    expect(v4.tokenize('a <mask> b')).toEqual(['a', '<mask>', 'Ġb']);
    // The same files with the transformers 5 config (backend: tokenizers): no lstrip.
    const v5 = await RobertaTokenizer.fromPretrained(memoryDir(['vocab.json', 'merges.txt', 'tokenizer_config.json']));
    expect(v5.tokenize('a <mask> b')).toEqual(['a', 'Ġ', '<mask>', 'Ġb']);
  });

  it('add_prefix_space makes the first word look like the others; decode restores bytes and skips special tokens', async () => {
    const plain = await RobertaTokenizer.fromPretrained(TINY_ROBERTA);
    const spaced = await RobertaTokenizer.fromPretrained(
      memoryDir(['tokenizer.json'], { 'tokenizer_config.json': '{"add_prefix_space": true}' }),
    );
    expect(plain.tokenize('the movie')[0]).toBe('the');
    expect(spaced.tokenize('the movie')[0]).toBe('Ġthe');
    expect(spaced.addPrefixSpace).toBe(true);
    const ids = plain.encode('Café 🙂 <mask>').inputIds;
    expect(plain.decode(ids)).toBe('<s>Café 🙂 <mask></s>');
    expect(plain.decode(ids, { skipSpecialTokens: true })).toBe('Café 🙂 ');
    // A cut multi-byte character decodes to U+FFFD, as Rust's from_utf8_lossy does; unknown ids are skipped.
    const emoji = plain.encode('🙂', { addSpecialTokens: false }).inputIds;
    expect(emoji.length).toBe(4);
    expect(plain.decode(emoji.slice(0, 2))).toBe('\ufffd');
    expect(plain.decode([...emoji, 99999])).toBe('🙂');
    expect(
      plain.decode(plain.encode("Don't , stop", { addSpecialTokens: false }).inputIds, {
        cleanUpTokenizationSpaces: true,
      }),
    ).toBe("Don't, stop");
  });

  it('pairs: <s> A </s></s> B </s>, all type ids 0 when asked for, longest_first with the early-stop lengths', async () => {
    const tok = await RobertaTokenizer.fromPretrained(TINY_ROBERTA);
    const a = tok.encode('good', { addSpecialTokens: false }).inputIds;
    const b = tok.encode('bad', { addSpecialTokens: false }).inputIds;
    const enc = tok.encode('good', { textPair: 'bad', returnTokenTypeIds: true });
    expect(enc.inputIds).toEqual([0, ...a, 2, 2, ...b, 2]);
    expect(enc.tokenTypeIds).toEqual(new Array(enc.inputIds.length).fill(0));
    expect(tok.numSpecialTokensToAdd(true)).toBe(4);
    expect(tok.numSpecialTokensToAdd()).toBe(2);
  });

  it('errors name the file and what is wrong', async () => {
    const badMerges = memoryDir(['vocab.json'], { 'merges.txt': '#version: 0.2\nĠ t\nthree tokens here\n' });
    await expect(RobertaTokenizer.fromPretrained(badMerges)).rejects.toThrow(
      /merges\.txt \(line 3\): expected two tokens separated by one space/,
    );
    const unknownMerge = memoryDir(['vocab.json'], { 'merges.txt': '#version: 0.2\nĠ zzz\n' });
    await expect(RobertaTokenizer.fromPretrained(unknownMerge)).rejects.toThrow(
      /merge 1 \("Ġ zzz"\) uses "zzz", which is not in the vocabulary/,
    );
    const bert = fileURLToPath(new URL('../../shared/golden/tiny-bert', import.meta.url));
    await expect(RobertaTokenizer.fromPretrained(bert)).rejects.toThrow(
      /tokenizer_config\.json names BertTokenizer, a WordPiece tokenizer/,
    );
    await expect(RobertaTokenizer.fromPretrained(memoryDir(['vocab.json']))).rejects.toThrow(
      /neither tokenizer\.json nor vocab\.json \+ merges\.txt/,
    );
    const unknownType = memoryDir(['tokenizer.json'], { 'config.json': '{"model_type": "xlm-roberta"}' });
    await expect(AutoTokenizer.fromPretrained(unknownType)).rejects.toThrow(
      /model_type "xlm-roberta" is not supported; known tokenizer classes: BertTokenizer, DistilBertTokenizer, RobertaTokenizer .*known model types: bert, distilbert, roberta/,
    );
    const unknownClass = memoryDir(['tokenizer.json'], {
      'tokenizer_config.json': '{"tokenizer_class": "XLMRobertaTokenizerFast"}',
    });
    await expect(AutoTokenizer.fromPretrained(unknownClass)).rejects.toThrow(
      /tokenizer_class "XLMRobertaTokenizerFast" is not supported/,
    );
  });
});

describe('saving a byte-level BPE tokenizer', () => {
  const text = (files: Map<string, Uint8Array>, name: string): string => new TextDecoder().decode(files.get(name));

  it('writes tokenizer.json, vocab.json and merges.txt byte for byte as transformers 5 / tokenizers wrote them', async () => {
    for (const use of ['tokenizer.json', 'vocab'] as const) {
      const files = (await RobertaTokenizer.fromPretrained(TINY_ROBERTA, { use })).saveFiles();
      expect([...files.keys()].sort()).toEqual([
        'merges.txt',
        'special_tokens_map.json',
        'tokenizer.json',
        'tokenizer_config.json',
        'vocab.json',
      ]);
      // From vocab.json + merges.txt, the tokenizer.json is the one RobertaTokenizer builds: the golden one.
      for (const name of ['tokenizer.json', 'vocab.json', 'merges.txt'])
        expect(text(files, name), `${use}: ${name}`).toBe(golden(name));
      const config = JSON.parse(text(files, 'tokenizer_config.json')) as Record<string, unknown>;
      expect(config).toMatchObject({
        tokenizer_class: 'RobertaTokenizer',
        model_max_length: 128,
        add_prefix_space: false,
        trim_offsets: true,
        bos_token: '<s>',
        eos_token: '</s>',
        cls_token: '<s>',
        sep_token: '</s>',
        pad_token: '<pad>',
        unk_token: '<unk>',
        mask_token: '<mask>',
        errors: 'replace',
        backend: 'tokenizers',
      });
      // Loading arguments transformers 5 leaked into its file are not settings.
      expect(config.is_local).toBeUndefined();
      expect(JSON.parse(text(files, 'special_tokens_map.json'))).toEqual({
        bos_token: '<s>',
        cls_token: '<s>',
        eos_token: '</s>',
        mask_token: '<mask>',
        pad_token: '<pad>',
        sep_token: '</s>',
        unk_token: '<unk>',
      });
    }
  });

  it('a saved directory reloads (either layout, and through AutoTokenizer) and encodes the golden cases the same', async () => {
    const files = (await RobertaTokenizer.fromPretrained(TINY_ROBERTA)).saveFiles();
    for (const use of ['tokenizer.json', 'vocab'] as const) {
      const again = await RobertaTokenizer.fromPretrained(new MemoryFileSource(files), { use });
      expect(parity(again, cases).same, use).toBe(215);
    }
    expect(await AutoTokenizer.fromPretrained(new MemoryFileSource(files))).toBeInstanceOf(RobertaTokenizer);
    // A transformers 4 save of a <mask> that takes the space before it keeps that through saving.
    const v4 = await RobertaTokenizer.fromPretrained(
      memoryDir(['vocab.json', 'merges.txt'], { 'tokenizer_config.json': '{}' }),
    );
    const v4Files = v4.saveFiles();
    expect(JSON.parse(text(v4Files, 'special_tokens_map.json')).mask_token).toMatchObject({
      content: '<mask>',
      lstrip: true,
    });
    expect(text(v4Files, 'tokenizer.json')).toContain(
      '"content": "<mask>",\n      "single_word": false,\n      "lstrip": true',
    );
    const back = await RobertaTokenizer.fromPretrained(new MemoryFileSource(v4Files));
    expect(back.tokenize('a <mask> b')).toEqual(['a', '<mask>', 'Ġb']);
  });
});
