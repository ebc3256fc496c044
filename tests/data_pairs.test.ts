// Sentence-pair datasets: the readers find a second text column (HF's GLUE-style names, or one named), every dataset
// operation carries it, tokenizeDataset encodes pairs, and the collator pads their token_type_ids.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import './helpers/node_files.js';
import { DataCollatorWithPadding } from '../src/data/collator.js';
import { concatDatasets, parseDataset, sampleDataset, selectExamples, trainTestSplit } from '../src/data/dataset.js';
import { parseDelimited } from '../src/data/csv.js';
import { parseJsonl } from '../src/data/jsonl.js';
import { tokenizeDataset } from '../src/data/tokenize.js';
import { AutoTokenizer } from '../src/tokenizers/index.js';

const TINY_BERT = fileURLToPath(new URL('../../shared/golden/tiny-bert', import.meta.url));
const TINY_ROBERTA = fileURLToPath(new URL('../../shared/golden/tiny-roberta', import.meta.url));
const jsonl = (rows: object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('readers find the second text of a pair', () => {
  it("JSONL: each of HF's GLUE-style pairs of names; a single-text file has no textPairs", () => {
    const pairs: Array<[string, string]> = [
      ['sentence1', 'sentence2'],
      ['question', 'sentence'], // QNLI: "sentence" is also a single-text name, but the pair wins
      ['premise', 'hypothesis'],
      ['question1', 'question2'],
      ['text', 'text_pair'],
    ];
    for (const [a, b] of pairs) {
      const ds = parseJsonl(
        jsonl([
          { [a]: 'first one', [b]: 'second one', label: 1 },
          { [a]: 'x', [b]: 'y', label: 0 },
        ]),
        `${a}.jsonl`,
      );
      expect(ds, a).toEqual({
        texts: ['first one', 'x'],
        textPairs: ['second one', 'y'],
        labels: [1, 0],
        source: `${a}.jsonl`,
      });
    }
    const single = parseJsonl(jsonl([{ sentence: 'just one', label: 1 }]), 's.jsonl');
    expect(single).toEqual({ texts: ['just one'], labels: [1], source: 's.jsonl' });
    expect('textPairs' in single).toBe(false);
  });

  it('JSONL: a named pair field; a line without it is an error naming the file and line', () => {
    const rows = [
      { a: 'one', b: 'two', label: 0 },
      { a: 'three', b: 'four', label: 1 },
      { a: 'five', label: 1 },
    ];
    expect(() => parseJsonl(jsonl(rows), 'p.jsonl', { textField: 'a', textPairField: 'b' })).toThrow(
      'p.jsonl (line 3): missing text pair field "b" (record has a, label)',
    );
    expect(parseJsonl(jsonl(rows.slice(0, 2)), 'p.jsonl', { textField: 'a', textPairField: 'b' }).textPairs).toEqual([
      'two',
      'four',
    ]);
    const glue = [
      { premise: 'p1', hypothesis: 'h1', label: 0 },
      { premise: 'p2', label: 1 },
    ];
    expect(() => parseJsonl(jsonl(glue), 'mnli.jsonl')).toThrow(
      'mnli.jsonl (line 2): missing text pair field "hypothesis" (record has premise, label)',
    );
    expect(() => parseJsonl(jsonl([{ premise: 'p', hypothesis: 3, label: 0 }]), 'n.jsonl')).toThrow(
      'n.jsonl (line 1): text pair field "hypothesis" is number, not a string',
    );
    // Naming only the pair column takes its GLUE partner as the text.
    expect(parseJsonl(jsonl(glue.slice(0, 1)), 'm.jsonl', { textPairField: 'hypothesis' }).texts).toEqual(['p1']);
  });

  it('CSV and GLUE TSV headers; a named pair column missing from the header is an error naming the header line', () => {
    const csv = 'sentence1,sentence2,label\n"He said, ""yes""",He agreed,1\nShort,Other,0\n';
    expect(parseDelimited(csv, 'mrpc.csv', { delimiter: ',', quoted: true })).toEqual({
      texts: ['He said, "yes"', 'Short'],
      textPairs: ['He agreed', 'Other'],
      labels: [1, 0],
      source: 'mrpc.csv',
    });
    const tsv = 'question\tsentence\tlabel\nWho?\tHim.\tentailment\n';
    const qnli = parseDelimited(tsv, 'qnli.tsv', { delimiter: '\t', quoted: false });
    expect(qnli.texts).toEqual(['Who?']);
    expect(qnli.textPairs).toEqual(['Him.']);
    expect(() =>
      parseDelimited('text,label\nhi,1\n', 'x.csv', { delimiter: ',', quoted: true, textPairField: 'other' }),
    ).toThrow('x.csv (line 1): header has no text pair column "other" (header is "text", "label")');
  });

  it('select, sample, split and concat keep texts and their pairs together', async () => {
    const ds = parseJsonl(
      jsonl(Array.from({ length: 10 }, (_, i) => ({ premise: `p${i}`, hypothesis: `h${i}`, label: i % 2 }))),
      'd.jsonl',
    );
    const picked = selectExamples(ds, [3, 1]);
    expect(picked.texts).toEqual(['p3', 'p1']);
    expect(picked.textPairs).toEqual(['h3', 'h1']);
    const sampled = sampleDataset(ds, { maxSamples: 4, shuffleSeed: 7 });
    expect(sampled.textPairs).toEqual(sampled.texts.map((t) => t.replace('p', 'h')));
    expect(sampleDataset(ds, { maxSamples: 2 }).textPairs).toEqual(['h0', 'h1']);
    const { train, test } = trainTestSplit(ds, 0.3, 1);
    for (const part of [train, test]) expect(part.textPairs).toEqual(part.texts.map((t) => t.replace('p', 'h')));
    const both = concatDatasets([picked, ds], 'all');
    expect(both.textPairs!.length).toBe(12);
    const single = await parseDataset(new TextEncoder().encode(jsonl([{ text: 'solo', label: 0 }])), 's.jsonl');
    expect(() => concatDatasets([picked, single], 'all')).toThrow(
      's.jsonl: has single texts but d.jsonl has sentence pairs; every file must have the same columns',
    );
  });
});

describe('tokenizeDataset and the collator with pairs', () => {
  const ds = { texts: ['a good film', 'bad'], textPairs: ['i liked it', 'awful acting all along'], labels: [1, 0] };

  it('BERT: [CLS] A [SEP] B [SEP] with token type ids, padded with the pad token type id', async () => {
    const tok = await AutoTokenizer.fromPretrained(TINY_BERT);
    const features = tokenizeDataset(tok, ds, 16);
    const enc = tok.encode('bad', { textPair: 'awful acting all along' });
    expect([...features[1]!.inputIds]).toEqual(enc.inputIds);
    expect([...features[1]!.tokenTypeIds!]).toEqual(enc.tokenTypeIds);
    expect(enc.tokenTypeIds!.filter((t) => t === 1).length).toBe(
      tok.encode('awful acting all along', { addSpecialTokens: false }).inputIds.length + 1,
    );
    const batch = new DataCollatorWithPadding({ tokenizer: tok }).collate(features);
    const T = batch.seqLen;
    expect(T).toBe(Math.max(features[0]!.inputIds.length, features[1]!.inputIds.length));
    for (let b = 0; b < 2; b++) {
      const types = [...features[b]!.tokenTypeIds!];
      expect([...batch.tokenTypeIds!.subarray(b * T, (b + 1) * T)]).toEqual([
        ...types,
        ...new Array(T - types.length).fill(0),
      ]);
    }
    // A collator told another pad token type id uses it (HF's pad_token_type_id).
    const short = { inputIds: [101, 102], tokenTypeIds: [0, 0], label: 0 };
    const other = new DataCollatorWithPadding({ padTokenId: 0, padTokenTypeId: 3 }).collate([features[1]!, short]);
    expect([...other.tokenTypeIds!.subarray(other.seqLen, other.seqLen + 3)]).toEqual([0, 0, 3]);
    // Truncated to maxLength with longest_first.
    expect(tokenizeDataset(tok, ds, 8).every((f) => f.inputIds.length <= 8)).toBe(true);
  });

  it('RoBERTa: pairs without token type ids, padded with <pad> = 1; single texts as before', async () => {
    const tok = await AutoTokenizer.fromPretrained(TINY_ROBERTA);
    const features = tokenizeDataset(tok, ds, 16);
    expect(features.every((f) => f.tokenTypeIds === undefined)).toBe(true);
    expect([...features[0]!.inputIds]).toEqual(tok.encode('a good film', { textPair: 'i liked it' }).inputIds);
    const batch = new DataCollatorWithPadding({ tokenizer: tok }).collate(features);
    expect(batch.tokenTypeIds).toBeUndefined();
    expect(batch.inputIds[batch.seqLen - 1]).toBe(features[0]!.inputIds.length < batch.seqLen ? 1 : 2);
    const single = tokenizeDataset(tok, { texts: ['a good film'], labels: [1] }, 16);
    expect([...single[0]!.inputIds]).toEqual(tok.encode('a good film').inputIds);
  });

  it('the collator refuses features that mix having and lacking tokenTypeIds, or whose lengths differ', () => {
    const c = new DataCollatorWithPadding({ padTokenId: 0 });
    expect(() => c.collate([{ inputIds: [1, 2], tokenTypeIds: [0, 1] }, { inputIds: [3] }])).toThrow(
      'feature 0 has tokenTypeIds but feature 1 has none',
    );
    expect(() => c.collate([{ inputIds: [1, 2], tokenTypeIds: [0] }])).toThrow(
      'feature 0: tokenTypeIds has 1 entries but inputIds has 2',
    );
    expect(() => c.collate([{ inputIds: [1], tokenTypeIds: [-1] }])).toThrow(
      'feature 0: tokenTypeIds[0] = -1 is not a non-negative integer',
    );
    expect(c.collate([{ inputIds: [1] }]).tokenTypeIds).toBeUndefined();
  });
});
