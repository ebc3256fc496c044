// decode(): the expectations are written out by hand from transformers' and tokenizers' documented
// rules (BertTokenizer.convert_tokens_to_string + clean_up_tokenization; the WordPiece decoder),
// not taken from our own output.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import './helpers/node_files.js';
import { BertTokenizer } from '../src/tokenizers/index.js';

const MODEL_DIR = fileURLToPath(new URL('../../shared/models/distilbert-base-uncased', import.meta.url));

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

  it("contractions: the slow tokenizer's clean-up glues \" ' \", the fast decoder cleans per token", () => {
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
