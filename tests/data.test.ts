// Dataset readers (JSONL, CSV/TSV, aclImdb folders), label mapping, shuffling and batching.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { MemoryFileSource } from '../src/io/files.js';
import { BertTokenizer } from '../src/tokenizers/bert_tokenizer.js';
import {
  batches,
  loadDataset,
  loadDatasetFromSource,
  numBatches,
  parseDelimited,
  parseJsonl,
  resolveLabels,
  sampleDataset,
  shuffledIndices,
  sortReviewFiles,
  tokenizeDataset,
  trainTestSplit,
} from '../src/data/node.js';

const shared = (p: string): string => fileURLToPath(new URL(`../../shared/${p}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'webtune-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('JSONL', () => {
  test('the full IMDb train split: 25k reviews, balanced, U+0085 kept inside texts', async () => {
    const ds = await loadDataset(shared('data/imdb/train.jsonl'));
    expect(ds.texts.length).toBe(25_000);
    expect(ds.labels.filter((l) => l === 1).length).toBe(12_500);
    expect(ds.labels.every((l) => l === 0 || l === 1)).toBe(true);
    // 350 train records contain NEL; splitting on it would have broken records (and thrown).
    expect(ds.texts.filter((t) => t.includes('\u0085')).length).toBe(350);
    expect(ds.texts.find((t) => t.startsWith('I rented I AM CURIOUS-YELLOW'))).toBeDefined();
    expect(Math.min(...ds.texts.map((t) => t.length))).toBe(52);
  });

  test('the test split through the folder: split picks test.jsonl; maxSamples stops early', async () => {
    const ds = await loadDataset(shared('data/imdb'), { split: 'test', maxSamples: 3 });
    expect(ds.texts.length).toBe(3);
    expect(ds.source).toMatch(/test\.jsonl$/);
  });

  test('custom field names, CRLF, blank lines, string labels through labelNames', () => {
    const text = '{"review": "good", "y": "positive"}\r\n\n{"review": "bad", "y": "neg"}\n';
    const ds = parseJsonl(text, 'mem.jsonl', {
      textField: 'review',
      labelField: 'y',
      labelNames: ['NEGATIVE', 'POSITIVE'],
    });
    expect(ds).toEqual({
      texts: ['good', 'bad'],
      labels: [1, 0],
      labelNames: ['NEGATIVE', 'POSITIVE'],
      source: 'mem.jsonl',
    });
  });

  test('string labels without names get sorted names; a JSON array works too', () => {
    const ds = parseJsonl('[{"text": "a", "label": "pos"}, {"text": "b", "label": "neg"}]', 'a.json');
    expect(ds.labels).toEqual([1, 0]);
    expect(ds.labelNames).toEqual(['neg', 'pos']);
  });
});

describe('CSV / TSV', () => {
  test('SST-2 train.tsv (GLUE layout, unquoted, trailing space kept)', async () => {
    const ds = await loadDataset(shared('data/sst2/train.tsv'));
    expect(ds.texts.length).toBe(67_349);
    expect(ds.labels.filter((l) => l === 1).length).toBe(37_569);
    expect(ds.texts[0]).toBe('hide new secretions from the parental units ');
    const dev = await loadDataset(shared('data/sst2'), { split: 'validation' });
    expect(dev.texts.length).toBe(872);
    expect(dev.texts[0]).toBe("it 's a charming and often affecting journey . ");
  });

  test('CSV quoting: commas, "" escapes, quoted newlines, CRLF; column auto-detected', () => {
    const csv =
      'id,Review,sentiment\r\n1,"Great, really ""great""",positive\r\n2,"two\nlines",negative\r\n3,plain,positive';
    const ds = parseDelimited(csv, 'r.csv', { delimiter: ',', quoted: true });
    expect(ds.texts).toEqual(['Great, really "great"', 'two\nlines', 'plain']);
    expect(ds.labels).toEqual([1, 0, 1]);
    expect(ds.labelNames).toEqual(['negative', 'positive']);
  });

  test('line numbers after a quoted newline point at the right line', () => {
    const csv = 'text,label\n"a\nb",0\nc,7\n';
    expect(() => parseDelimited(csv, 'x.csv', { delimiter: ',', quoted: true, labelNames: ['n', 'p'] })).toThrow(
      'x.csv (line 4): label 7 is outside the label set',
    );
  });
});

describe('aclImdb folders', () => {
  test('train/neg, train/pos read in numeric file order, neg = 0, pos = 1', async () => {
    const root = join(tmp, 'aclImdb');
    const put = (p: string, s: string): void => {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), s);
    };
    put('train/neg/10_2.txt', 'neg ten');
    put('train/neg/2_1.txt', 'neg two');
    put('train/pos/0_9.txt', 'pos zero\u0085with NEL');
    put('train/pos/README', 'not a review');
    put('test/neg/0_3.txt', 'test neg');
    put('test/pos/0_8.txt', 'test pos');
    const ds = await loadDataset(root);
    expect(ds.texts).toEqual(['neg two', 'neg ten', 'pos zero\u0085with NEL']);
    expect(ds.labels).toEqual([0, 0, 1]);
    expect(ds.labelNames).toEqual(['neg', 'pos']);
    const test2 = await loadDataset(join(root, 'test'), { labelNames: ['NEGATIVE', 'POSITIVE'] });
    expect(test2.labels).toEqual([0, 1]);
    expect(test2.labelNames).toEqual(['NEGATIVE', 'POSITIVE']);
    expect(sortReviewFiles(['100_1.txt', '11_2.txt', '2_3.txt'])).toEqual(['2_3.txt', '11_2.txt', '100_1.txt']);
  });
});

describe('labels', () => {
  test('numeric strings, bigints and synonyms map; names must be distinct', () => {
    const pos = (i: number): number => i + 1;
    expect(resolveLabels(['1', 0n, 'Positive', 'neg'], 'f', pos, 'line', ['negative', 'positive']).labels).toEqual([
      1, 0, 1, 0,
    ]);
    expect(() => resolveLabels([0], 'f', pos, 'line', ['pos', 'positive'])).toThrow(/name one class twice/);
    expect(resolveLabels([3, 0], 'f', pos, 'line')).toEqual({ labels: [3, 0] });
  });
});

describe('shuffle, sample, batches', () => {
  test('shuffledIndices is a deterministic permutation that depends on the seed', () => {
    const a = shuffledIndices(1000, 42);
    expect(Array.from(a)).toEqual(Array.from(shuffledIndices(1000, 42)));
    expect(Array.from(a)).not.toEqual(Array.from(shuffledIndices(1000, 43)));
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    // Pinned so that a change of generator is noticed: runs must stay reproducible across versions.
    expect(Array.from(shuffledIndices(8, 42))).toEqual([2, 7, 1, 0, 6, 5, 3, 4]);
    expect(shuffledIndices(0, 1).length).toBe(0);
  });

  test('sampleDataset: shuffle then keep the first maxSamples (both classes present for IMDb)', async () => {
    const ds = await loadDataset(shared('data/imdb/train.jsonl'), { shuffleSeed: 42, maxSamples: 100 });
    expect(ds.texts.length).toBe(100);
    const ones = ds.labels.filter((l) => l === 1).length;
    expect(ones).toBeGreaterThan(30);
    expect(ones).toBeLessThan(70);
    const again = sampleDataset({ texts: ['a', 'b', 'c'], labels: [0, 1, 0], source: 's' }, { maxSamples: 2 });
    expect(again.texts).toEqual(['a', 'b']);
  });

  test('batches: in order, last one short unless dropLast', () => {
    expect(batches([5, 3, 1, 0, 2], 2)).toEqual([[5, 3], [1, 0], [2]]);
    expect(batches([5, 3, 1, 0, 2], 2, { dropLast: true })).toEqual([
      [5, 3],
      [1, 0],
    ]);
    expect(numBatches(25_000, 16)).toBe(1563);
    expect(() => batches([1], 0)).toThrow(/batchSize/);
  });
});

describe('train/test split and tokenizing (shared by the CLI, the demo and the web page)', () => {
  const ds = {
    texts: Array.from({ length: 50 }, (_, i) => `text ${i}`),
    labels: Array.from({ length: 50 }, (_, i) => i % 2),
    source: 'f.csv',
  };

  test('trainTestSplit: a seeded shuffle cut in two, ceil(fraction·N) held out, rows kept whole', () => {
    const { train, test: held } = trainTestSplit(ds, 0.1, 42);
    expect([held.texts.length, train.texts.length]).toEqual([5, 45]);
    expect([...held.texts, ...train.texts].sort()).toEqual([...ds.texts].sort()); // disjoint, nothing lost
    for (const part of [train, held])
      part.texts.forEach((t, i) => expect(part.labels[i]).toBe(Number(t.split(' ')[1]) % 2));
    const order = Array.from(shuffledIndices(50, 42), (i) => `text ${i}`);
    expect(held.texts).toEqual(order.slice(0, 5));
    expect(trainTestSplit(ds, 0.1, 42)).toEqual({ train, test: held });
    expect(trainTestSplit(ds, 0.1, 7).test.texts).not.toEqual(held.texts);
    expect(trainTestSplit(ds, 0.01, 1).test.texts).toHaveLength(1); // ceil: never an empty eval set
  });

  test('trainTestSplit refuses fractions outside (0, 1) and splits that leave nothing to train on', () => {
    expect(() => trainTestSplit(ds, 0, 1)).toThrow(/f\.csv: the held-out fraction must be in \(0, 1\), got 0/);
    expect(() => trainTestSplit(ds, 1, 1)).toThrow(/in \(0, 1\)/);
    expect(() => trainTestSplit({ ...ds, texts: ['a'], labels: [0] }, 0.5, 1)).toThrow(
      /f\.csv: holding out 0\.5 of 1 examples leaves none to train on/,
    );
  });

  test('tokenizeDataset: [CLS] … [SEP] encodings cut to maxLength, with their labels', () => {
    const tokenizer = BertTokenizer.fromVocab(
      ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'good', 'bad', 'film'].join('\n'),
    );
    expect(tokenizeDataset(tokenizer, { texts: ['Good film', 'bad, bad film'], labels: [1, 0] }, 4)).toEqual([
      { inputIds: Int32Array.from([2, 5, 7, 3]), label: 1 },
      { inputIds: Int32Array.from([2, 6, 1, 3]), label: 0 }, // "," is not in the vocab: [UNK]; "bad film" cut
    ]);
  });
});

describe('FileSource (the browser path)', () => {
  test('loadDatasetFromSource reads and parses by extension', async () => {
    const src = new MemoryFileSource(new Map([['d.tsv', enc('sentence\tlabel\nok \t1\n')]]), 'picked');
    const ds = await loadDatasetFromSource(src, 'd.tsv');
    expect(ds).toEqual({ texts: ['ok '], labels: [1], source: 'picked/d.tsv' });
  });
});
