// The tokenizer.json we write for a small custom vocab (the built-in demo's, saved from vocab.txt) loads in
// transformers.js (AutoTokenizer, i.e. @huggingface/tokenizers, what its pipelines use) and gives our ids.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import './helpers/node_files.js';
import { demoCorpus } from '../src/demo/corpus.js';
import { buildDemoVocab } from '../src/demo/vocab.js';
import { BertTokenizer, RobertaTokenizer } from '../src/tokenizers/index.js';

const GOLDEN_JSONL = fileURLToPath(new URL('../../shared/golden/tokenizer/wordpiece_golden.jsonl', import.meta.url));

/**
 * Astral CJK ideographs: @huggingface/tokenizers 0.2 tests for CJK on UTF-16 units, so it does not split them (HF's
 * Rust tokenizers and the slow tokenizer do; U+2B820–U+2B91F only the slow one, see golden/README.md).
 */
const ASTRAL_CJK = /[\u{20000}-\u{2FA1F}]/u;

describe('tokenizer.json of the demo vocab in transformers.js', () => {
  it('loads with AutoTokenizer and encodes every text as our tokenizer does', async () => {
    const { train, test } = demoCorpus();
    const vocab = buildDemoVocab(train.map((e) => e.text));
    const ours = BertTokenizer.fromVocab(vocab.join('\n') + '\n', { modelMaxLength: 64 }); // as run_demo.ts builds it
    const dir = mkdtempSync(join(tmpdir(), 'webtune-tokjs-'));
    for (const [name, bytes] of ours.saveFiles()) writeFileSync(join(dir, name), bytes);

    const tjs = await import('@huggingface/transformers');
    tjs.env.allowRemoteModels = false;
    const theirs = await tjs.AutoTokenizer.from_pretrained(dir);
    // The demo's own reviews, and the golden stress inputs (accents, CJK, control characters, emoji, punctuation,
    // long words, special tokens written in the text, long IMDb reviews), most of them full of words this vocab lacks.
    const stress = readFileSync(GOLDEN_JSONL, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { text: string }).text);
    const texts = [...train.map((e) => e.text), ...test.map((e) => e.text), ...stress];
    const differ = texts.filter((t) => JSON.stringify(theirs.encode(t)) !== JSON.stringify(ours.encode(t).inputIds));
    console.log(
      `${texts.length} texts, ${vocab.length}-token vocab: ${differ.length} encode differently (${differ
        .slice(0, 5)
        .map((t) => JSON.stringify(t.slice(0, 80)))
        .join(', ')})`,
    );
    // Only texts with astral CJK ideographs differ.
    expect(differ.every((t) => ASTRAL_CJK.test(t))).toBe(true);
    expect(differ.length).toBeLessThanOrEqual(2);
    expect(texts.length - differ.length).toBeGreaterThan(500);
  });
});

const TINY_ROBERTA = fileURLToPath(new URL('../../shared/golden/tiny-roberta', import.meta.url));

describe('the byte-level BPE tokenizer.json we write, in transformers.js', () => {
  it('loads with AutoTokenizer and encodes texts and pairs as our RobertaTokenizer does', async () => {
    // Built from vocab.json + merges.txt, so the tokenizer.json transformers.js reads is the one we wrote.
    const dir = mkdtempSync(join(tmpdir(), 'webtune-tokjs-bpe-'));
    for (const name of ['vocab.json', 'merges.txt', 'tokenizer_config.json'])
      writeFileSync(join(dir, name), readFileSync(join(TINY_ROBERTA, name)));
    const ours = await RobertaTokenizer.fromPretrained(dir, { use: 'vocab' });
    const out = mkdtempSync(join(tmpdir(), 'webtune-tokjs-bpe-saved-'));
    for (const [name, bytes] of ours.saveFiles()) writeFileSync(join(out, name), bytes);

    const tjs = await import('@huggingface/transformers');
    tjs.env.allowRemoteModels = false;
    const theirs = await tjs.AutoTokenizer.from_pretrained(out);
    const cases = JSON.parse(readFileSync(join(TINY_ROBERTA, 'tokenizer_cases.json'), 'utf8')) as Array<{
      text: string;
      text_pair?: string;
    }>;
    const stress = readFileSync(GOLDEN_JSONL, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { text: string }).text);
    const texts = [...cases.map((c) => c.text), ...stress];
    const differ = texts.filter((t) => JSON.stringify(theirs.encode(t)) !== JSON.stringify(ours.encode(t).inputIds));
    console.log(
      `${texts.length} texts: ${differ.length} encode differently (${differ
        .slice(0, 5)
        .map((t) => JSON.stringify(t.slice(0, 80)))
        .join(', ')})`,
    );
    const pairs = cases
      .filter((c) => c.text_pair !== undefined)
      .map((c) => [c.text.slice(0, 200), c.text_pair!.slice(0, 200)] as const);
    const pairDiffer = pairs.filter(
      ([a, b]) =>
        JSON.stringify(theirs.encode(a, { text_pair: b })) !== JSON.stringify(ours.encode(a, { textPair: b }).inputIds),
    );
    console.log(`${pairs.length} pairs (untruncated): ${pairDiffer.length} encode differently`);
    // Only texts with U+0085 (NEL) differ: tokenizers' regex engine (Oniguruma) counts it as whitespace (\s), as we
    // do; transformers.js uses JavaScript's \s, which does not (see byte_level.ts GPT2_PATTERN).
    expect(differ.every((t) => t.includes('\u0085'))).toBe(true);
    expect(differ.length).toBeLessThanOrEqual(1);
    expect(pairDiffer).toEqual([]);
    expect(texts.length).toBeGreaterThan(700);
  });
});
