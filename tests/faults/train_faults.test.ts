// The fault suite for dist/train.js (issue 20): one case per reproduction and per failure mode, each asserting the
// exit code, that the message names the file, line or flag at fault, and that no file outside the output directory
// changed (every input hashed before and after). Labels (items 1-4), output directories (5-7), numerical faults (8),
// checks at load (11). Signals, resume and the disk are in the other files of tests/faults/.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { requireBuild } from '../train_cli.helpers.js';
import { hashTree, log, makeFixtures, repoRoot, runScript, type Fixtures, type Run } from './fixtures.js';

interface Case {
  /** The reproduction of issue 20 it covers ("4b"), or "+" for a failure mode added with the fix. */
  item: string;
  name: string;
  args(f: Fixtures, out: string): string[];
  /** Prepares the output directory (e.g. an earlier run in it). */
  setup?(f: Fixtures, out: string): void;
  status: number;
  /** What the message must name: paths, "line N", flags. */
  names?(f: Fixtures, out: string): string[];
  /** The output directory must not be created or changed. */
  outUntouched?: boolean;
  check?(f: Fixtures, out: string, r: Run): void;
}

const QUICK = [
  '--max-length',
  '32',
  '--max-steps',
  '2',
  '--eval-strategy',
  'no',
  '--load-best-model-at-end',
  'false',
  '--seed',
  '7',
];
const cfg = (out: string): Record<string, any> => JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
const state = (out: string): Record<string, any> => JSON.parse(readFileSync(join(out, 'trainer_state.json'), 'utf8'));
const predictLabels = (model: string, texts: string[]): string[] => {
  const r = runScript('predict.js', ['--model', model, ...texts.flatMap((t) => ['--text', t])]);
  expect(r.status, log(r)).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l)[0].label);
};
/** Every tensor of a safetensors file is finite. */
const allFinite = (path: string): boolean =>
  [...parseSafetensors(new Uint8Array(readFileSync(path)), path).tensors.values()].every((t) =>
    (t.data() as Float32Array).every(Number.isFinite),
  );
/** An earlier run (4 steps, a checkpoint each) copied into `out`; trained once, on first use. */
let earlier: string | undefined;
const earlierRun = (f: Fixtures, out: string): void => {
  if (!earlier) {
    earlier = join(outRoot, 'earlier-run');
    const r = runScript('train.js', [
      '--model',
      f.tiny,
      '--train-file',
      f.data.numeric,
      ...QUICK,
      '--max-steps',
      '4',
      '--save-strategy',
      'steps',
      '--save-steps',
      '1',
      '--output-dir',
      earlier,
    ]);
    expect(r.status, log(r)).toBe(0);
  }
  cpSync(earlier, out, { recursive: true });
};

const CASES: Case[] = [
  // 1. --labels order is the id order for string labels, in training and in config.json: predictions named right.
  {
    item: '1',
    name: 'string labels follow --labels: the trained model names its predictions right',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.strings,
      '--labels',
      'POSITIVE,NEGATIVE',
      '--max-length',
      '16',
      '--max-steps',
      '40',
      '--eval-strategy',
      'no',
      '--load-best-model-at-end',
      'false',
      '--save-strategy',
      'no',
      '--learning-rate',
      '2e-3',
      '--per-device-train-batch-size',
      '8',
      '--seed',
      '7',
      '--output-dir',
      out,
    ],
    status: 0,
    names: () => ['Labels (from --labels): 0 POSITIVE (16 examples), 1 NEGATIVE (16)'],
    check: (f, out) => {
      expect(cfg(out).id2label).toEqual({ 0: 'POSITIVE', 1: 'NEGATIVE' });
      expect(cfg(out).label2id).toEqual({ POSITIVE: 0, NEGATIVE: 1 });
      const texts = [...f.texts.pos, ...f.texts.neg];
      expect(predictLabels(out, texts)).toEqual(
        texts.map((_, i) => (i < f.texts.pos.length ? 'POSITIVE' : 'NEGATIVE')),
      );
    },
  },
  // 2. The eval file's string labels go through the training set's mapping: the reported accuracy is the truth.
  {
    item: '2',
    name: 'eval labels "pos" map through the training mapping: eval_accuracy equals the predictor\'s',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.strings,
      '--eval-file',
      f.data.posEval,
      ...QUICK,
      '--eval-strategy',
      'epoch',
      '--save-strategy',
      'no',
      '--output-dir',
      out,
    ],
    status: 0,
    check: (f, out) => {
      const acc = state(out).log_history.find((e: Record<string, number>) => 'eval_accuracy' in e).eval_accuracy;
      const evalTexts = readFileSync(f.data.posEval, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).text as string);
      const labels = predictLabels(out, evalTexts);
      expect(acc).toBeCloseTo(labels.filter((l) => l === 'POSITIVE').length / labels.length, 10);
    },
  },
  {
    item: '2',
    name: 'an eval label outside the mapping is an error naming the eval file and line',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.strings,
      '--eval-file',
      f.data.neutralEval,
      ...QUICK,
      '--eval-strategy',
      'epoch',
      '--output-dir',
      out,
    ],
    status: 1,
    outUntouched: true,
    names: (f) => [`${f.data.neutralEval} (line 2)`, '"neutral"', `the label names of ${f.data.strings}`],
  },
  // 3. String classes are named by themselves, sorted (HF's class_encode_column), never NEGATIVE/POSITIVE.
  {
    item: '3',
    name: '"good"/"poor" are named good and poor, in sorted order',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.goodPoor,
      ...QUICK,
      '--save-strategy',
      'no',
      '--output-dir',
      out,
    ],
    status: 0,
    check: (_f, out) => expect(cfg(out).id2label).toEqual({ 0: 'good', 1: 'poor' }),
  },
  {
    item: '3',
    name: "string labels the model's named head does not know: an error naming the line, suggesting --labels",
    args: (f, out) => ['--model', f.head, '--train-file', f.data.goodPoor, ...QUICK, '--output-dir', out],
    status: 1,
    outUntouched: true,
    names: (f) => [`${f.data.goodPoor} (line 1)`, '"good"', 'config.json (id2label)', '--labels'],
  },
  // 4. A stray label 2 in binary data.
  {
    item: '4',
    name: 'stray label 2, model with a named head: the data line is blamed, not model.safetensors',
    args: (f, out) => ['--model', f.head, '--train-file', f.data.stray2, ...QUICK, '--output-dir', out],
    status: 1,
    outUntouched: true,
    names: (f) => [`${f.data.stray2} (line 6)`, 'label 2'],
  },
  {
    item: '4',
    name: "stray label 2, a head whose config names nothing: the head's 2 classes, the line blamed",
    args: (f, out) => ['--model', f.placeholder, '--train-file', f.data.stray2, ...QUICK, '--output-dir', out],
    status: 1,
    outUntouched: true,
    names: (f) => [`${f.data.stray2} (line 6)`, 'classifier head', 'model.safetensors'],
  },
  {
    item: '4',
    name: 'stray label 2 with --labels NEGATIVE,POSITIVE: the line is blamed',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.stray2,
      '--labels',
      'NEGATIVE,POSITIVE',
      ...QUICK,
      '--output-dir',
      out,
    ],
    status: 1,
    outUntouched: true,
    names: (f) => [`${f.data.stray2} (line 6)`, '--labels'],
  },
  {
    item: '4',
    name: 'stray label 2, base model, no --labels: 3 classes, said out loud with a warning about the lone example',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.stray2,
      ...QUICK,
      '--save-strategy',
      'no',
      '--output-dir',
      out,
    ],
    status: 0,
    names: (f) => ['2 LABEL_2 (1)', `class 2 (LABEL_2) has a single training example`, f.data.stray2],
    check: (_f, out) => expect(Object.keys(cfg(out).id2label)).toHaveLength(3),
  },
  {
    item: '4',
    name: '--help no longer claims NEGATIVE,POSITIVE as the --labels default',
    args: () => ['--help'],
    status: 0,
    outUntouched: true,
    check: (_f, _out, r) =>
      expect(r.stdout).toMatch(
        /--labels A,B,\.\.\s+.*\(default: the model's id2label if it names the classes, else the training data's/,
      ),
  },
  {
    item: '+',
    name: "--labels in another order than the model's trained head: exit 2 before training, naming both orders",
    args: (f, out) => [
      '--model',
      f.head,
      '--train-file',
      f.data.strings,
      '--labels',
      'POSITIVE,NEGATIVE',
      ...QUICK,
      '--output-dir',
      out,
    ],
    status: 2,
    outUntouched: true,
    names: () => ['--labels POSITIVE,NEGATIVE', 'config.json: 0 NEGATIVE, 1 POSITIVE', '--labels NEGATIVE,POSITIVE'],
  },
  {
    item: '+',
    name: '--labels with 3 names on a 2-output head: exit 2 naming the head',
    args: (f, out) => [
      '--model',
      f.head,
      '--train-file',
      f.data.numeric,
      '--labels',
      'a,b,c',
      ...QUICK,
      '--output-dir',
      out,
    ],
    status: 2,
    outUntouched: true,
    names: () => ['classifier.weight has 2 rows', '--labels'],
  },
  {
    item: '+',
    name: '--labels naming one class twice: exit 2',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.numeric,
      '--labels',
      'pos,POSITIVE',
      ...QUICK,
      '--output-dir',
      out,
    ],
    status: 2,
    outUntouched: true,
    names: () => ['--labels names one class twice'],
  },
  // 5. An unusable output directory or metric: exit 2 before any model or data work.
  {
    item: '5',
    name: '--output-dir that is a file',
    setup: (_f, out) => writeFileSync(out, 'not a directory'),
    args: (f, out) => ['--model', f.tiny, '--train-file', f.data.numeric, ...QUICK, '--output-dir', out],
    status: 2,
    outUntouched: true,
    names: (_f, out) => ['--output-dir', `${out} is a file`],
  },
  {
    item: '5',
    name: '--output-dir below a file',
    setup: (_f, out) => writeFileSync(out, 'not a directory'),
    args: (f, out) => ['--model', f.tiny, '--train-file', f.data.numeric, ...QUICK, '--output-dir', join(out, 'sub')],
    status: 2,
    outUntouched: true,
    names: (_f, out) => ['--output-dir', `${out} is a file`],
  },
  {
    item: '5',
    name: 'an unknown --metric-for-best-model',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.numeric,
      '--eval-file',
      f.data.numeric,
      '--max-steps',
      '2',
      '--metric-for-best-model',
      'acc',
      '--output-dir',
      out,
    ],
    status: 2,
    outUntouched: true,
    names: () => ['--metric-for-best-model', '"acc"', 'accuracy'],
  },
  {
    item: '+',
    name: '--save-strategy best without evaluations',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.numeric,
      ...QUICK,
      '--save-strategy',
      'best',
      '--metric-for-best-model',
      'loss',
      '--output-dir',
      out,
    ],
    status: 2,
    outUntouched: true,
    names: () => ['--save-strategy best', '--eval-strategy'],
  },
  // 6. An earlier run is never overwritten unasked; --overwrite-output-dir clears its checkpoints.
  {
    item: '6',
    name: 'an output directory holding an earlier run: exit 2 naming what is there, nothing changed',
    setup: earlierRun,
    args: (f, out) => ['--model', f.tiny, '--train-file', f.data.numeric, ...QUICK, '--output-dir', out],
    status: 2,
    outUntouched: true,
    names: (_f, out) => [
      `--output-dir ${out} holds an earlier run`,
      'checkpoint-4',
      '--overwrite-output-dir',
      '--resume-from-checkpoint true',
    ],
  },
  {
    item: '6',
    name: '--overwrite-output-dir: the old checkpoints go, so resume and "Next:" point at this run',
    setup: earlierRun,
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.numeric,
      ...QUICK,
      '--save-strategy',
      'steps',
      '--save-steps',
      '1',
      '--overwrite-output-dir',
      '--output-dir',
      out,
    ],
    status: 0,
    names: (_f, out) => [`Replaced the earlier run in ${out}`],
    check: (_f, out, r) => {
      expect(
        readdirSync(out)
          .filter((n) => n.startsWith('checkpoint-'))
          .sort(),
      ).toEqual(['checkpoint-1', 'checkpoint-2']);
      expect(r.stdout).toContain(`--resume-from-checkpoint ${out}/checkpoint-2`);
      expect(state(out).global_step).toBe(2);
    },
  },
  {
    item: '+',
    name: '--overwrite-output-dir with --resume-from-checkpoint true contradict each other',
    setup: earlierRun,
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.numeric,
      ...QUICK,
      '--overwrite-output-dir',
      '--resume-from-checkpoint',
      'true',
      '--output-dir',
      out,
    ],
    status: 2,
    outUntouched: true,
    names: () => ['--overwrite-output-dir', '--resume-from-checkpoint true'],
  },
  {
    item: '+',
    name: '--resume-from-checkpoint true with no checkpoint: exit 2 at once',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.numeric,
      ...QUICK,
      '--resume-from-checkpoint',
      'true',
      '--output-dir',
      out,
    ],
    status: 2,
    outUntouched: true,
    names: (_f, out) => ['--resume-from-checkpoint true', out],
  },
  // 7. The model directory is never the output.
  {
    item: '7',
    name: '--output-dir equal to --model',
    args: (f) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.numeric,
      ...QUICK,
      '--overwrite-output-dir',
      '--output-dir',
      f.tiny,
    ],
    status: 2,
    outUntouched: true,
    names: (f) => [`--output-dir ${f.tiny} is the model directory`],
  },
  {
    item: '7',
    name: '--output-dir inside --model',
    args: (f) => ['--model', f.tiny, '--train-file', f.data.numeric, ...QUICK, '--output-dir', join(f.tiny, 'run')],
    status: 2,
    outUntouched: true,
    names: (f) => [`--output-dir ${join(f.tiny, 'run')} is inside the model directory`],
  },
  {
    item: '7',
    name: '--model inside --output-dir',
    setup: earlierRun,
    args: (f, out) => [
      '--model',
      join(out, 'checkpoint-4'),
      '--train-file',
      f.data.numeric,
      ...QUICK,
      '--overwrite-output-dir',
      '--output-dir',
      out,
    ],
    status: 2,
    outUntouched: true,
    names: (_f, out) => [`--output-dir ${out} holds the model directory`],
  },
  // 8. Numerical faults: a model with NaN weights, and a run that diverges.
  {
    item: '8',
    name: 'a model with a NaN weight: refused at load, naming the tensor, nothing saved',
    args: (f, out) => ['--model', f.nan, '--train-file', f.data.numeric, ...QUICK, '--output-dir', out],
    status: 1,
    outUntouched: true,
    names: (f) => [join(f.nan, 'model.safetensors'), 'distilbert.transformer.layer.0.ffn.lin1.weight', 'non-finite'],
  },
  {
    item: '8',
    name: 'a diverging run stops at the logging step that reads NaN; the last good checkpoint stays, nothing non-finite saved',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.numeric,
      ...QUICK,
      '--max-steps',
      '4',
      '--learning-rate',
      '1e35',
      '--logging-steps',
      '1',
      '--save-strategy',
      'steps',
      '--save-steps',
      '1',
      '--per-device-train-batch-size',
      '4',
      '--output-dir',
      out,
    ],
    status: 1,
    names: (_f, out) => ['step 2:', `${out}/checkpoint-1`, '--resume-from-checkpoint'],
    check: (_f, out, r) => {
      expect(r.stderr).toMatch(/step 2: (loss|grad_norm) is (NaN|-?Infinity)/); // read by the logging step itself
      expect(readdirSync(out).sort()).toEqual(['checkpoint-1']);
      expect(allFinite(join(out, 'checkpoint-1', 'model.safetensors'))).toBe(true);
    },
  },
  {
    item: '8',
    name: 'diverged weights are refused at the checkpoint (no logging step before it)',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.numeric,
      ...QUICK,
      '--max-steps',
      '4',
      '--learning-rate',
      '1e35',
      '--logging-steps',
      '100',
      '--save-strategy',
      'steps',
      '--save-steps',
      '2',
      '--per-device-train-batch-size',
      '4',
      '--output-dir',
      out,
    ],
    status: 1,
    names: () => ['step 2:', 'non-finite', 'No checkpoint was written'],
    check: (_f, out) => expect(existsSync(out) ? readdirSync(out) : []).toEqual([]),
  },
  {
    item: '8',
    name: 'no logging, no checkpoints: the loss read at the end stops the final save',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.numeric,
      ...QUICK,
      '--max-steps',
      '4',
      '--learning-rate',
      '1e35',
      '--logging-strategy',
      'no',
      '--save-strategy',
      'no',
      '--per-device-train-batch-size',
      '4',
      '--output-dir',
      out,
    ],
    status: 1,
    names: () => ['step 4:', 'loss is NaN'],
    check: (_f, out) => expect(existsSync(join(out, 'model.safetensors'))).toBe(false),
  },
  // 11. Checks at load and up front.
  {
    item: '11',
    name: 'vocab.txt longer than vocab_size: refused at load, naming both files',
    args: (f, out) => ['--model', f.bigVocab, '--train-file', f.data.numeric, ...QUICK, '--output-dir', out],
    status: 1,
    outUntouched: true,
    names: (f) => [f.bigVocab, '30542 ids', `${join(f.bigVocab, 'config.json')} has vocab_size 30522`],
  },
  {
    item: '11',
    name: '--max-length above max_position_embeddings: exit 2 naming the flag and config.json',
    args: (f, out) => [
      '--model',
      f.tiny,
      '--train-file',
      f.data.numeric,
      ...QUICK,
      '--max-length',
      '100',
      '--output-dir',
      out,
    ],
    status: 2,
    outUntouched: true,
    names: (f) => ['--max-length 100', 'give at most 64', join(f.tiny, 'config.json')],
  },
  {
    item: '11',
    name: '--model pointing at a file',
    args: (f, out) => [
      '--model',
      join(f.tiny, 'model.safetensors'),
      '--train-file',
      f.data.numeric,
      ...QUICK,
      '--output-dir',
      out,
    ],
    status: 2,
    outUntouched: true,
    names: (f) => [`--model ${join(f.tiny, 'model.safetensors')} is a file`],
  },
];

let f: Fixtures;
let outRoot: string;
beforeAll(() => {
  requireBuild();
  f = makeFixtures();
  outRoot = mkdtempSync(join(tmpdir(), 'webtune-faults-out-'));
});
afterAll(() => {
  rmSync(f.root, { recursive: true, force: true });
  rmSync(outRoot, { recursive: true, force: true });
});

describe('train.js faults (issue 20)', () => {
  CASES.forEach((c, i) => {
    it(`[${c.item}] ${c.name}`, () => {
      const out = join(outRoot, `case-${i}`);
      c.setup?.(f, out);
      const inputs = () => new Map([...hashTree(f.root), ...hashTree(f.head)]);
      const inputsBefore = inputs();
      const outBefore = hashTree(out);
      const top = readdirSync(repoRoot).sort();
      const r = runScript('train.js', c.args(f, out));
      expect(r.status, log(r)).toBe(c.status);
      const text = r.stderr + r.stdout;
      for (const s of c.names?.(f, out) ?? []) expect(text, log(r)).toContain(s);
      if (c.status !== 0) expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/); // no stack trace
      expect(inputs(), 'a file outside the output directory changed').toEqual(inputsBefore);
      expect(readdirSync(repoRoot).sort(), 'the run wrote into the working directory').toEqual(top);
      if (c.outUntouched) expect(hashTree(out), 'the output directory changed').toEqual(outBefore);
      if (c.outUntouched && !c.setup) expect(existsSync(out), 'the output directory was created').toBe(false);
      c.check?.(f, out, r);
    });
  });
});
