// BERT WordPiece with sentence pairs and token_type_ids, against golden/tiny-bert (transformers 5.18, tokenizers 0.23):
// 215 cases (the last 40 pairs cut with longest_first) from both file layouts, and the padded pair batch of inputs.json
// through the collator.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import './helpers/node_files.js';
import { MemoryFileSource } from '../src/io/files.js';
import { AutoTokenizer, BertTokenizer, type Tokenizer } from '../src/tokenizers/index.js';
import { truncateContents } from '../src/tokenizers/post_process.js';
import { collateGoldenPairs, rowsOf, type GoldenBatch } from './helpers/golden_pairs.js';

const TINY_BERT = fileURLToPath(new URL('../../shared/golden/tiny-bert', import.meta.url));
const DISTILBERT = fileURLToPath(new URL('../../shared/models/distilbert-base-uncased', import.meta.url));

interface GoldenCase {
  text: string;
  text_pair?: string;
  max_length: number;
  truncation?: string;
  input_ids: number[];
  token_type_ids?: number[];
  tokens?: string[];
  decoded?: string;
}

const cases = JSON.parse(readFileSync(`${TINY_BERT}/tokenizer_cases.json`, 'utf8')) as GoldenCase[];

/** The cases our tokenizer reproduces exactly (ids, type ids, tokens, decode), and the first few that it does not. */
function parity(tok: Tokenizer, golden: readonly GoldenCase[]): { same: number; differ: string[] } {
  const differ: string[] = [];
  golden.forEach((c, i) => {
    const enc = tok.encode(c.text, { textPair: c.text_pair, truncation: true, maxLength: c.max_length });
    const problems: string[] = [];
    if (JSON.stringify(enc.inputIds) !== JSON.stringify(c.input_ids)) problems.push('input_ids');
    if (c.token_type_ids && JSON.stringify(enc.tokenTypeIds) !== JSON.stringify(c.token_type_ids))
      problems.push('token_type_ids');
    if (!c.token_type_ids && enc.tokenTypeIds !== undefined) problems.push('token_type_ids (not expected)');
    if (c.tokens && JSON.stringify(tok.convertIdsToTokens(c.input_ids)) !== JSON.stringify(c.tokens))
      problems.push('tokens');
    if (c.decoded !== undefined && tok.decode(c.input_ids, { skipSpecialTokens: true }) !== c.decoded)
      problems.push('decode');
    if (problems.length > 0) differ.push(`case ${i}: ${problems.join(', ')}`);
  });
  return { same: golden.length - differ.length, differ };
}

describe('BERT pairs: golden tiny-bert tokenizer_cases.json', () => {
  it('has the 215 cases the README describes (40 pairs at max_length 96)', () => {
    expect(cases.length).toBe(215);
    const pairs = cases.filter((c) => c.text_pair !== undefined);
    expect(pairs.length).toBe(40);
    expect(pairs.every((c) => c.max_length === 96 && c.truncation === 'longest_first')).toBe(true);
  });

  for (const use of ['tokenizer.json', 'vocab'] as const) {
    it(`215/215 identical from ${use === 'vocab' ? 'vocab.txt' : 'tokenizer.json'} (ids, token_type_ids, tokens, decode)`, async () => {
      const tok = await BertTokenizer.fromPretrained(TINY_BERT, { use });
      // tokenizer_config.json says "backend": "tokenizers" (transformers 5): vocab.txt gives the same fast tokenizer.
      expect(tok.flavour).toBe('rust');
      expect(tok.modelInputNames).toEqual(['input_ids', 'token_type_ids', 'attention_mask']);
      const { same, differ } = parity(tok, cases);
      console.log(
        `tiny-bert from ${use}: ${same}/${cases.length} identical${differ.length ? `; ${differ.slice(0, 5).join('; ')}` : ''}`,
      );
      expect(differ).toEqual([]);
      expect(same).toBe(215);
    });
  }

  it('AutoTokenizer picks BertTokenizer from tokenizer_class and gives the same encodings', async () => {
    const tok = await AutoTokenizer.fromPretrained(TINY_BERT);
    expect(tok).toBeInstanceOf(BertTokenizer);
    expect(parity(tok, cases.slice(-40)).same).toBe(40);
  });
});

describe('BERT pairs: template, type ids and truncation', () => {
  it('[CLS] A [SEP] B [SEP] with type ids 0…0 1…1; no token_type_ids for DistilBERT', async () => {
    const bert = await BertTokenizer.fromPretrained(TINY_BERT);
    const enc = bert.encode('hello world', { textPair: 'good movie' });
    expect(enc.inputIds).toEqual([101, 7592, 2088, 102, 2204, 3185, 102]);
    expect(enc.tokenTypeIds).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(enc.attentionMask).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(bert.numSpecialTokensToAdd(true)).toBe(3);
    expect(bert.encode('hello', { textPair: 'world', addSpecialTokens: false })).toEqual({
      inputIds: [7592, 2088],
      tokenTypeIds: [0, 1],
      attentionMask: [1, 1],
    });
    // distilbert-base-uncased: no tokenizer_class, so this library's default (DistilBERT's inputs) applies.
    const distil = await BertTokenizer.fromPretrained(DISTILBERT);
    expect(distil.modelInputNames).toEqual(['input_ids', 'attention_mask']);
    expect(distil.encode('hello world', { textPair: 'good movie' })).toEqual({
      inputIds: [101, 7592, 2088, 102, 2204, 3185, 102],
      attentionMask: [1, 1, 1, 1, 1, 1, 1],
    });
    expect(distil.encode('hello', { returnTokenTypeIds: true }).tokenTypeIds).toEqual([0, 0, 0]);
    // config.json's model_type picks the class when tokenizer_config.json names none.
    const asBert = await BertTokenizer.fromPretrained(DISTILBERT, { modelType: 'bert' });
    expect(asBert.encode('hello').tokenTypeIds).toEqual([0, 0, 0]);
  });

  it('longest_first takes from the longer text; on a tie tokenizers and the slow tokenizer give the odd token to different texts', () => {
    const cut = (n1: number, n2: number, budget: number, flavour: 'rust' | 'python'): [number, number] => {
      const a = Array.from({ length: n1 }, (_, i) => i);
      const b = Array.from({ length: n2 }, (_, i) => i);
      truncateContents(a, b, budget, 'longest_first', flavour);
      return [a.length, b.length];
    };
    // tokenizers' own unit test table (utils/truncation.rs, max_length 7).
    const table: Array<[number, number, number, number]> = [
      [0, 8, 0, 7],
      [2, 8, 2, 5],
      [4, 4, 3, 4],
      [4, 8, 3, 4],
      [8, 2, 5, 2],
      [8, 4, 4, 3],
      [8, 8, 3, 4],
      [2, 4, 2, 4],
    ];
    for (const [n1, n2, k1, k2] of table) expect(cut(n1, n2, 7, 'rust'), `${n1},${n2}`).toEqual([k1, k2]);
    // transformers' slow truncate_sequences: the first text keeps the odd token.
    expect(cut(8, 8, 7, 'python')).toEqual([4, 3]);
    expect(cut(8, 4, 7, 'python')).toEqual([4, 3]);
    expect(cut(4, 8, 7, 'python')).toEqual([4, 3]);
  });

  it('only_first / only_second cut one text, and refuse when it is too short', async () => {
    const tok = await BertTokenizer.fromPretrained(TINY_BERT);
    const a = 'one two three four five six';
    const b = 'seven eight nine';
    expect(tok.encode(a, { textPair: b, truncation: 'only_first', maxLength: 8 }).inputIds).toEqual([
      101, 2028, 2048, 102, 2698, 2809, 3157, 102,
    ]);
    expect(tok.encode(a, { textPair: b, truncation: 'only_second', maxLength: 11 }).inputIds).toEqual([
      101, 2028, 2048, 2093, 2176, 2274, 2416, 102, 2698, 2809, 102,
    ]);
    expect(() => tok.encode(a, { textPair: b, truncation: 'only_second', maxLength: 6 })).toThrow(
      /only_second.*second text has 3 tokens.*remove the 6/,
    );
    expect(() => tok.encode(a, { truncation: 'only_second', maxLength: 4 })).toThrow(/needs a textPair/);
    expect(() => tok.encode(a, { truncation: 'longest' as never, maxLength: 4 })).toThrow(
      /truncation must be true, false or one of/,
    );
    expect(() => tok.encode(a, { textPair: 5 as never })).toThrow(/textPair must be a string, got 5/);
    expect(tok.encodeBatch(['hello', 'good'], { textPairs: ['world', 'movie'] }).map((e) => e.inputIds)).toEqual([
      [101, 7592, 102, 2088, 102],
      [101, 2204, 102, 3185, 102],
    ]);
    expect(() => tok.encodeBatch(['a', 'b'], { textPairs: ['c'] })).toThrow(/textPairs must be an array of 2 strings/);
  });

  it('a vocab.txt saved by transformers 4 (no "backend") stays the slow tokenizer, with its own longest_first', async () => {
    const files = new Map([
      ['vocab.txt', readFileSync(`${TINY_BERT}/vocab.txt`)],
      [
        'tokenizer_config.json',
        new TextEncoder().encode('{"tokenizer_class": "BertTokenizer", "do_lower_case": true}'),
      ],
    ]);
    const slow = await BertTokenizer.fromPretrained(new MemoryFileSource(files));
    expect(slow.flavour).toBe('python');
    const fast = await BertTokenizer.fromPretrained(TINY_BERT);
    const a = 'one two three four five six seven eight';
    const b = 'nine ten eleven twelve thirteen fourteen fifteen sixteen';
    // 16 content tokens, room for 7: the slow tokenizer keeps 4 + 3, tokenizers 3 + 4.
    expect(slow.encode(a, { textPair: b, maxLength: 10 }).tokenTypeIds).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(fast.encode(a, { textPair: b, maxLength: 10 }).tokenTypeIds).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  });
});

describe('saving a BERT tokenizer', () => {
  it('writes tiny-bert tokenizer.json and vocab.txt byte for byte from either layout; the saved directory reloads', async () => {
    for (const use of ['tokenizer.json', 'vocab'] as const) {
      const files = (await BertTokenizer.fromPretrained(TINY_BERT, { use })).saveFiles();
      for (const name of ['tokenizer.json', 'vocab.txt']) {
        expect(new TextDecoder().decode(files.get(name)), `${use}: ${name}`).toBe(
          readFileSync(`${TINY_BERT}/${name}`, 'utf8'),
        );
      }
      const config = JSON.parse(new TextDecoder().decode(files.get('tokenizer_config.json'))) as Record<
        string,
        unknown
      >;
      expect(config).toMatchObject({ tokenizer_class: 'BertTokenizer', model_max_length: 128, backend: 'tokenizers' });
      expect(config.is_local).toBeUndefined();
      const again = await AutoTokenizer.fromPretrained(new MemoryFileSource(files));
      expect(again.modelInputNames).toEqual(['input_ids', 'token_type_ids', 'attention_mask']);
      expect(parity(again, cases.slice(-40)).same, use).toBe(40);
    }
  });
});

describe('tiny-bert inputs.json through the collator', () => {
  it('reproduces the padded pair batch (input_ids, token_type_ids, attention_mask)', async () => {
    const golden = JSON.parse(readFileSync(`${TINY_BERT}/inputs.json`, 'utf8')) as GoldenBatch;
    const tok = await AutoTokenizer.fromPretrained(TINY_BERT);
    const batch = collateGoldenPairs(tok, golden.labels);
    expect(rowsOf(batch.inputIds, batch.seqLen)).toEqual(golden.input_ids);
    expect(rowsOf(batch.tokenTypeIds!, batch.seqLen)).toEqual(golden.token_type_ids);
    expect(rowsOf(batch.attentionMask, batch.seqLen)).toEqual(golden.attention_mask);
    expect([...batch.labels!]).toEqual(golden.labels);
  });
});
