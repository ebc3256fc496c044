// The fault suite's library cases (issue 20, item 11): every public entry point given null, {} or another wrong
// argument throws an error naming the argument and what it expected (never "Cannot read properties of null"), and
// an empty sequence is refused before any GPU dispatch. Plus fromPretrained's warning about non-finite weights and
// savePretrained's refusal to write them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import { gpu } from '../helpers/gpu.js';
import { makeFixtures, SMALL_MODEL, type Fixtures } from './fixtures.js';

let f: Fixtures;
let tok: wt.BertTokenizer;
let model: wt.DistilBertForSequenceClassification;
let classify: wt.TextClassificationPipeline;
beforeAll(async () => {
  await gpu();
  f = makeFixtures();
  tok = await wt.BertTokenizer.fromPretrained(SMALL_MODEL);
  model = await wt.DistilBertForSequenceClassification.fromPretrained(SMALL_MODEL);
  classify = await wt.pipeline('text-classification', SMALL_MODEL);
});
afterAll(() => {
  classify?.dispose();
  model?.dispose();
  rmSync(f.root, { recursive: true, force: true });
});

const any = (v: unknown): any => v;
const collator = (): wt.DataCollatorWithPadding => new wt.DataCollatorWithPadding({ padTokenId: 0 });
const RAW =
  /Cannot read properties|is not a function|is not iterable|Cannot destructure|Cannot use 'in' operator|Cannot convert/;

/** [entry point and argument, the call, what the message must say]. */
const CASES: Array<[string, () => unknown, RegExp]> = [
  [
    'pipeline(task, null)',
    () => wt.pipeline('text-classification', any(null)),
    /pipeline\("text-classification"\): model: expected a model directory path/,
  ],
  [
    'pipeline(task, {})',
    () => wt.pipeline('text-classification', any({})),
    /model: expected .* FileSource \(with describe, exists, readBytes, readText\), got an empty object/,
  ],
  [
    'pipeline(task, dir, null)',
    () => wt.pipeline('text-classification', SMALL_MODEL, any(null)),
    /pipeline\("text-classification"\): options must be an object, got null/,
  ],
  ['pipeline(null, dir)', () => wt.pipeline(any(null), SMALL_MODEL), /pipeline: unsupported task null/],
  ['classify(null)', () => classify.classify(any(null)), /texts must be an array of strings, got null/],
  ['classify({})', () => classify.classify(any({})), /texts must be an array of strings, got an empty object/],
  ['classify([…], null)', () => classify.classify(['x'], any(null)), /classify: options must be an object, got null/],
  ['pipeline call (text, null)', () => classify('x', any(null)), /options must be an object, got null/],
  ['pipeline call ({})', () => classify(any({})), /input must be a string or an array of strings/],
  [
    'fromPretrained(null)',
    () => wt.DistilBertForSequenceClassification.fromPretrained(any(null)),
    /fromPretrained: location: expected a model directory path/,
  ],
  [
    'fromPretrained({})',
    () => wt.DistilBertForSequenceClassification.fromPretrained(any({})),
    /fromPretrained: location: expected/,
  ],
  [
    'fromPretrained(dir, null)',
    () => wt.DistilBertForSequenceClassification.fromPretrained(SMALL_MODEL, any(null)),
    /fromPretrained: options must be an object, got null/,
  ],
  [
    'fromConfig(null)',
    () => wt.DistilBertForSequenceClassification.fromConfig(any(null)),
    /fromConfig: config must be a DistilBertConfig or its fields/,
  ],
  [
    'new DistilBertConfig(null)',
    () => new wt.DistilBertConfig(any(null)),
    /DistilBertConfig: expected an object of config fields/,
  ],
  [
    'BertTokenizer.fromPretrained(null)',
    () => wt.BertTokenizer.fromPretrained(any(null)),
    /BertTokenizer\.fromPretrained: location: expected/,
  ],
  ['tokenizer.encode(null)', () => tok.encode(any(null)), /BertTokenizer\.encode: text must be a string, got null/],
  ['tokenizer.encode({})', () => tok.encode(any({})), /text must be a string, got an empty object/],
  [
    'tokenizer.encode(text, null)',
    () => tok.encode('x', any(null)),
    /BertTokenizer\.encode: options must be an object, got null/,
  ],
  [
    'tokenizer.encodeBatch(null)',
    () => tok.encodeBatch(any(null)),
    /encodeBatch: texts must be an array of strings, got null/,
  ],
  ['new Trainer(null)', () => new wt.Trainer(any(null)), /Trainer: expected an options object/],
  ['new Trainer({})', () => new wt.Trainer(any({})), /Trainer: model must be a model with forward\(\)/],
  [
    'new Trainer({ model, args: {} })',
    () => new wt.Trainer(any({ model, args: {} })),
    /Trainer: args must be a TrainingArguments/,
  ],
  [
    'new Trainer({ model, trainDataset: 5 })',
    () => new wt.Trainer(any({ model, trainDataset: 5 })),
    /Trainer: trainDataset must be an array of features/,
  ],
  [
    'new TrainingArguments(null)',
    () => new wt.TrainingArguments(any(null)),
    /TrainingArguments: init: expected an object of arguments/,
  ],
  [
    'new DataCollatorWithPadding(null)',
    () => new wt.DataCollatorWithPadding(any(null)),
    /DataCollatorWithPadding: expected options \{ padTokenId \}/,
  ],
  ['collate(null)', () => collator().collate(any(null)), /features must be an array/],
  ['collate([null])', () => collator().collate(any([null])), /feature 0 must be an object/],
  [
    'collate([{ inputIds: [] }]) (empty sequence)',
    () => collator().collate([{ inputIds: [] }]),
    /feature 0 has an empty inputIds \(no tokens\)/,
  ],
  [
    'model.savePretrained(null)',
    () => model.savePretrained(any(null)),
    /savePretrained: dir must be a non-empty directory path, got null/,
  ],
  [
    'savePretrained(null, dir)',
    () => wt.savePretrained(any(null), 'x'),
    /savePretrained: model must be a DistilBertForSequenceClassification/,
  ],
  [
    'loadDataset(null)',
    () => wt.loadDataset(any(null)),
    /loadDataset: expected a path, a Hub dataset id or \{ path, format \}, got null/,
  ],
  ['loadDataset({})', () => wt.loadDataset(any({})), /loadDataset: expected a path/],
  [
    'tensor(null)',
    () => wt.tensor(any(null)),
    /tensor\(\): data must be a Float32Array, an Int32Array or a \(nested\) array/,
  ],
  [
    'forward on a sequence of length 0',
    () => wt.noGrad(() => model.forward({ inputIds: { data: new Int32Array(0), shape: [1, 0] } })),
    /sequence length 0: a sequence needs at least one token/,
  ],
  ['forward on [[]]', () => wt.noGrad(() => model.forward({ inputIds: [[]] })), /sequence length 0/],
];

describe('library entry points check their arguments (issue 20, item 11)', () => {
  for (const [name, call, message] of CASES) {
    it(name, async () => {
      let err: unknown;
      try {
        await call();
      } catch (e) {
        err = e;
      }
      expect(err, `${name} did not throw`).toBeInstanceOf(Error);
      expect((err as Error).message).not.toMatch(RAW);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('a dispatch with a workgroup count that is not a whole number is refused before Dawn sees it', () => {
    const rt = wt.runtime();
    const before = rt.dispatchCount;
    const kernel = wt.defineKernel({
      name: 'probe',
      source: () => '@compute @workgroup_size(1) fn main() {}',
      bindings: {},
    });
    expect(() => rt.dispatch(kernel, { bindings: {}, grid: [NaN] })).toThrow(
      /kernel "probe".*dispatch \[NaN, 1, 1\]: workgroup counts must be whole numbers/,
    );
    expect(rt.dispatchCount).toBe(before);
  });

  it('fromPretrained warns about non-finite weights, naming the file and tensor; savePretrained refuses to write them', async () => {
    const warnings: string[] = [];
    const nan = await wt.DistilBertForSequenceClassification.fromPretrained(f.nan, {
      onWarning: (m) => warnings.push(m),
    });
    try {
      expect(nan.nonFiniteWeights).toEqual([{ name: 'distilbert.transformer.layer.0.ffn.lin1.weight', count: 1 }]);
      expect(warnings.join('\n')).toContain(
        `${join(f.nan, 'model.safetensors')}: 1 tensor holds non-finite values (NaN or ±Inf): distilbert.transformer.layer.0.ffn.lin1.weight (1)`,
      );
      const dir = mkdtempSync(join(tmpdir(), 'webtune-nan-save-'));
      await expect(wt.savePretrained(nan, dir)).rejects.toThrow(
        /parameter "distilbert\.transformer\.layer\.0\.ffn\.lin1\.weight" holds 1 non-finite value/,
      );
      await nan.savePretrained(dir, undefined, { allowNonFinite: true }); // when asked for, it is written
      rmSync(dir, { recursive: true, force: true });
    } finally {
      nan.dispose();
    }
  });
});
