// Tokenizer parity with Hugging Face on every golden case (../shared/golden/tokenizer), both loading
// paths, plus the e2e batch of ../shared/golden/small-distilbert-realvocab.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import './helpers/node_files.js';
import { BertTokenizer } from '../src/tokenizers/index.js';

const shared = (rel: string): string => fileURLToPath(new URL(`../../shared/${rel}`, import.meta.url));
const MODEL_DIR = shared('models/distilbert-base-uncased');
const E2E_DIR = shared('golden/small-distilbert-realvocab');

interface GoldenRecord {
  text: string;
  category: string;
  tokens: string[];
  input_ids: number[];
  input_ids_truncated_512: number[];
  fast_tokens: string[];
  fast_input_ids: number[];
  fast_input_ids_truncated_512: number[];
}

// Split on '\n' only: some texts contain U+0085 / U+2028, which other line splitters honour.
const golden: GoldenRecord[] = readFileSync(shared('golden/tokenizer/wordpiece_golden.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .map((line) => JSON.parse(line) as GoldenRecord);

/** Compares `actual(record)` with `expected(record)` on every record; the message lists the first mismatches. */
function expectAllMatch(
  name: string,
  actual: (r: GoldenRecord) => unknown,
  expected: (r: GoldenRecord) => unknown,
): void {
  const bad: string[] = [];
  for (const [i, r] of golden.entries()) {
    const a = actual(r);
    const e = expected(r);
    if (JSON.stringify(a) !== JSON.stringify(e)) {
      bad.push(
        `#${i} [${r.category}] ${JSON.stringify(r.text.slice(0, 80))}\n    got      ${JSON.stringify(a).slice(0, 300)}\n    expected ${JSON.stringify(e).slice(0, 300)}`,
      );
    }
  }
  expect(
    bad.length,
    `${name}: ${bad.length}/${golden.length} mismatches; first ones:\n${bad.slice(0, 5).join('\n')}`,
  ).toBe(0);
}

describe('golden WordPiece cases', () => {
  let slow: BertTokenizer;
  let fast: BertTokenizer;
  beforeAll(async () => {
    slow = await BertTokenizer.fromPretrained(MODEL_DIR, { use: 'vocab' });
    fast = await BertTokenizer.fromPretrained(MODEL_DIR, { use: 'tokenizer.json' });
  });

  it('has all 514 records', () => {
    expect(golden.length).toBe(514);
  });

  it('loads the default path from tokenizer.json when present', async () => {
    const auto = await BertTokenizer.fromPretrained(MODEL_DIR);
    expect(auto.flavour).toBe('rust');
    expect(slow.flavour).toBe('python');
    for (const t of [slow, fast]) {
      expect([t.padTokenId, t.unkTokenId, t.clsTokenId, t.sepTokenId, t.maskTokenId]).toEqual([0, 100, 101, 102, 103]);
      expect(t.vocabSize).toBe(30522);
      expect(t.modelMaxLength).toBe(512);
    }
  });

  it('vocab.txt path: tokens', () =>
    expectAllMatch(
      'tokens',
      (r) => slow.tokenize(r.text),
      (r) => r.tokens,
    ));
  it('vocab.txt path: input_ids', () =>
    expectAllMatch(
      'input_ids',
      (r) => slow.encode(r.text).inputIds,
      (r) => r.input_ids,
    ));
  it('vocab.txt path: input_ids_truncated_512', () =>
    expectAllMatch(
      'input_ids_truncated_512',
      (r) => slow.encode(r.text, { truncation: true, maxLength: 512 }).inputIds,
      (r) => r.input_ids_truncated_512,
    ));
  it('vocab.txt path: truncation=true uses model_max_length', () =>
    expectAllMatch(
      'truncation from config',
      (r) => slow.encode(r.text, { truncation: true }).inputIds,
      (r) => r.input_ids_truncated_512,
    ));

  it('tokenizer.json path: fast_tokens', () =>
    expectAllMatch(
      'fast_tokens',
      (r) => fast.tokenize(r.text),
      (r) => r.fast_tokens,
    ));
  it('tokenizer.json path: fast_input_ids', () =>
    expectAllMatch(
      'fast_input_ids',
      (r) => fast.encode(r.text).inputIds,
      (r) => r.fast_input_ids,
    ));
  it('tokenizer.json path: fast_input_ids_truncated_512', () =>
    expectAllMatch(
      'fast_input_ids_truncated_512',
      (r) => fast.encode(r.text, { truncation: true }).inputIds,
      (r) => r.fast_input_ids_truncated_512,
    ));

  it('attention masks are all ones of the same length', () =>
    expectAllMatch(
      'attention_mask',
      (r) => slow.encode(r.text).attentionMask,
      (r) => r.input_ids.map(() => 1),
    ));

  it('gives the same ids again once the word caches are warm', () =>
    expectAllMatch(
      'cached',
      (r) => [slow.encode(r.text).inputIds, fast.encode(r.text).inputIds],
      (r) => [r.input_ids, r.fast_input_ids],
    ));

  it('encodeBatch equals encode per text', () => {
    const texts = golden.slice(0, 50).map((r) => r.text);
    expect(slow.encodeBatch(texts, { truncation: true }).map((e) => e.inputIds)).toEqual(
      golden.slice(0, 50).map((r) => r.input_ids_truncated_512),
    );
  });

  it('README examples (behaviours that may be surprising)', () => {
    expect(slow.tokenize('ΟΔΟΣ')).toEqual(['ο', '##δ', '##ο', '##σ']);
    expect(slow.tokenize('İstanbul')).toEqual(fast.tokenize('İstanbul'));
    expect(slow.tokenize('a\x0bb')).toEqual(['ab']);
    expect(slow.encode('hello [SEP] world').inputIds).toEqual([101, 7592, 102, 2088, 102]);
    expect(slow.tokenize('foo[UNK]bar')).toEqual(['foo', '[UNK]', 'bar']);
    expect(slow.tokenize('[cls]')).toEqual(['[', 'cl', '##s', ']']);
    expect(slow.tokenize('𫠠𫡀')).toEqual(['[UNK]', '[UNK]']);
    expect(fast.tokenize('𫠠𫡀')).toEqual(['[UNK]']);
    expect(slow.tokenize('a'.repeat(101))).toEqual(['[UNK]']);
    expect(slow.tokenize('\u200b')).toEqual([]);
  });

  it('unassigned code points: deleted by the slow cleaner, kept (→ [UNK]) by the fast one', () => {
    // Not in the golden: from the sources. transformers' _is_control is any category C*;
    // tokenizers' is_control is unicode_categories' is_other() = Cc | Cf | Co only.
    expect(slow.tokenize('a\u0378b')).toEqual(['ab']);
    expect(fast.tokenize('a\u0378b')).toEqual(['[UNK]']);
    expect(slow.tokenize('a\ue000b')).toEqual(['ab']); // Co: deleted by both
    expect(fast.tokenize('a\ue000b')).toEqual(['ab']);
  });
});

describe('e2e batch (small-distilbert-realvocab)', () => {
  const e2e = JSON.parse(readFileSync(`${E2E_DIR}/e2e.json`, 'utf8')) as {
    texts: string[];
    tokenized_truncation_true: { input_ids: number[][]; attention_mask: number[][] };
    untruncated_lengths_with_special_tokens: number[];
  };

  for (const use of ['vocab', 'tokenizer.json'] as const) {
    it(`tok(texts, truncation=True) via ${use}`, async () => {
      const dir = use === 'vocab' ? E2E_DIR : `${E2E_DIR}/fast_tokenizer_save`;
      const tok = await BertTokenizer.fromPretrained(dir, { use });
      const enc = tok.encodeBatch(e2e.texts, { truncation: true });
      expect(enc.map((e) => e.inputIds)).toEqual(e2e.tokenized_truncation_true.input_ids);
      expect(enc.map((e) => e.attentionMask)).toEqual(e2e.tokenized_truncation_true.attention_mask);
      expect(tok.encodeBatch(e2e.texts).map((e) => e.inputIds.length)).toEqual(
        e2e.untruncated_lengths_with_special_tokens,
      );
    });
  }
});
