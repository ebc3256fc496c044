// decode(): the expectations are written out by hand from transformers' and tokenizers' documented
// rules (BertTokenizer.convert_tokens_to_string + clean_up_tokenization; the WordPiece decoder),
// not taken from our own output; and HF's own decode of 175 texts (../shared/golden/tiny-bert/tokenizer_cases.json,
// the same uncased vocab, made by transformers 5.18 with the tokenizers backend).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import './helpers/node_files.js';
import { BertTokenizer } from '../src/tokenizers/index.js';

const MODEL_DIR = fileURLToPath(new URL('../../shared/models/distilbert-base-uncased', import.meta.url));
const TINY_BERT = fileURLToPath(new URL('../../shared/golden/tiny-bert', import.meta.url));

let slow: BertTokenizer;
let fast: BertTokenizer;
beforeAll(async () => {
  slow = await BertTokenizer.fromPretrained(MODEL_DIR, { use: 'vocab' });
  fast = await BertTokenizer.fromPretrained(MODEL_DIR, { use: 'tokenizer.json' });
});

describe('decode round trip (lower-cased, accent-stripped text)', () => {
  // [input, what both HF tokenizers give back with skip_special_tokens=True]
  const cases: Array<[string, string]> = [
    ['Hello World', 'hello world'],
    ['The quick brown fox jumps over the lazy dog.', 'the quick brown fox jumps over the lazy dog.'],
    ['Hello, World! Is it?', 'hello, world! is it?'],
    ['Café déjà vu', 'cafe deja vu'],
    ['UNAFFABLE tokenization', 'unaffable tokenization'],
    ['   spaced    out\ttext\n', 'spaced out text'],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => {
      expect(slow.decode(slow.encode(text).inputIds, { skipSpecialTokens: true })).toBe(expected);
      expect(fast.decode(fast.encode(text).inputIds, { skipSpecialTokens: true })).toBe(expected);
    });
  }

  it('keeps special tokens unless asked to skip them', () => {
    expect(slow.decode(slow.encode('Hello world').inputIds)).toBe('[CLS] hello world [SEP]');
    expect(fast.decode(fast.encode('Hello world').inputIds)).toBe('[CLS] hello world [SEP]');
    expect(slow.decode([101, 7592, 0, 0])).toBe('[CLS] hello [PAD] [PAD]');
    expect(slow.decode([101, 7592, 100, 102], { skipSpecialTokens: true })).toBe('hello');
  });

  it('joins ## continuations; a leading continuation keeps its ##', () => {
    // The classic example from the transformers docs: "unaffable" → una ##ffa ##ble.
    expect(slow.tokenize('unaffable')).toEqual(['una', '##ffa', '##ble']);
    const ids = slow.encode('unaffable', { addSpecialTokens: false }).inputIds;
    expect(slow.decode(ids)).toBe('unaffable');
    expect(fast.decode(ids)).toBe('unaffable');
    expect(slow.decode(ids.slice(1))).toBe('##ffable');
    expect(fast.decode(ids.slice(1))).toBe('##ffable');
  });

  it('contractions: the slow tokenizer\'s clean-up glues " \' ", the fast decoder cleans per token', () => {
    // tokens: it ' s great , isn ' t it ?
    const ids = slow.encode("It's great, isn't it?", { addSpecialTokens: false }).inputIds;
    expect(slow.decode(ids)).toBe("it's great, isn't it?");
    // tokenizers' cleanup sees one token at a time (" '" never matches " ' "); only " ," / " ?" go.
    expect(fast.decode(ids)).toBe("it ' s great, isn ' t it?");
    expect(fast.decode(ids, { cleanUpTokenizationSpaces: true })).toBe("it's great, isn't it?");
    expect(slow.decode(ids, { cleanUpTokenizationSpaces: false })).toBe("it ' s great , isn ' t it ?");
  });

  it('out-of-range ids: [UNK] in the slow tokenizer, dropped by the fast one', () => {
    expect(slow.decode([7592, 999999])).toBe('hello [UNK]');
    expect(fast.decode([7592, 999999])).toBe('hello');
  });
});

interface HfCase {
  text: string;
  text_pair?: string;
  max_length: number;
  input_ids: number[];
  decoded?: string;
}

describe("HF's decode on the tiny-bert golden cases (same uncased vocab)", () => {
  const cases = JSON.parse(readFileSync(`${TINY_BERT}/tokenizer_cases.json`, 'utf8')) as HfCase[];
  const single = cases.filter((c) => c.text_pair === undefined);
  let hf: BertTokenizer;
  beforeAll(async () => {
    hf = await BertTokenizer.fromPretrained(TINY_BERT, { use: 'tokenizer.json' });
  });

  /** The cases where `actual` differs from `expected`, the first few spelled out in the failure message. */
  function expectAll(what: string, actual: (c: HfCase) => unknown, expected: (c: HfCase) => unknown): void {
    const bad = single.filter((c) => JSON.stringify(actual(c)) !== JSON.stringify(expected(c)));
    const show = bad
      .slice(0, 3)
      .map(
        (c) =>
          `${JSON.stringify(c.text.slice(0, 60))}\n  got  ${JSON.stringify(actual(c)).slice(0, 200)}\n  want ${JSON.stringify(expected(c)).slice(0, 200)}`,
      );
    expect(bad.length, `${what}: ${bad.length}/${single.length} differ\n${show.join('\n')}`).toBe(0);
  }

  // The 40 sentence pairs carry no decode output, and our tokenizer encodes single texts only: not checked here.
  it('holds 215 cases: 175 single texts with HF decode outputs, 40 sentence pairs', () => {
    expect(cases).toHaveLength(215);
    expect(single).toHaveLength(175);
    expect(single.every((c) => typeof c.decoded === 'string')).toBe(true);
  });

  it("decode(HF ids, skipSpecialTokens) is HF's decode on all 175 (tokenizer.json path)", () => {
    expectAll(
      'decode',
      (c) => hf.decode(c.input_ids, { skipSpecialTokens: true }),
      (c) => c.decoded,
    );
  });

  it("encode(text, truncation at max_length) gives HF's ids on all 175, so decode round-trips them", () => {
    expectAll(
      'encode',
      (c) => hf.encode(c.text, { truncation: true, maxLength: c.max_length }).inputIds,
      (c) => c.input_ids,
    );
  });
});
