// The fault suite for dist/predict.js (issue 20, items 8 and 9): one output line per input line (blank lines scored
// as HF scores ""), a closed stdout ends quietly, regression models give their raw score and multi-label ones a
// sigmoid per label, and a model with non-finite weights or outputs exits non-zero naming the model or the input.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from '../train_cli.helpers.js';
import { hashTree, log, makeFixtures, repoRoot, runScript, type Fixtures, type Run } from './fixtures.js';

type Row = { label: string; score: number };
const rows = (r: Run): Row[][] =>
  r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row[]);
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

interface Case {
  item: string;
  name: string;
  args(f: Fixtures, dir: string): string[];
  input?: string;
  status: number;
  names?(f: Fixtures, dir: string): string[];
  check?(r: Run, f: Fixtures): void;
}

const CASES: Case[] = [
  {
    item: '9',
    name: 'blank lines keep their place: one output line per input line, a blank scored as ""',
    args: (f, dir) => {
      writeFileSync(join(dir, 'lines.txt'), 'great\n\nawful\n  \r\n');
      return ['--model', f.head, '--file', join(dir, 'lines.txt'), '--text', ''];
    },
    status: 0,
    check: (r) => {
      const out = rows(r);
      // --text first, then the file's 4 lines (the final newline ends line 4; it does not start a fifth).
      expect(out).toHaveLength(5);
      expect(out[2]).toEqual(out[0]); // the file's blank line 2 is scored exactly as the empty --text
      expect(out[4]).toEqual(out[0]); // and so is its whitespace-only line 4
      expect(out[1]).not.toEqual(out[0]);
    },
  },
  {
    item: '9',
    name: 'stdin lines, blanks included',
    args: (f) => ['--model', f.head],
    input: '\nnot bad\n',
    status: 0,
    check: (r) => expect(rows(r)).toHaveLength(2),
  },
  {
    item: '9',
    name: 'a regression model (problem_type regression) gives its raw score, not a sigmoid',
    args: (f) => ['--model', f.regression, '--text', 'anything'],
    status: 0,
    check: (r) => {
      const [[row]] = rows(r) as [[Row]];
      expect(row.label).toBe('LABEL_0');
      expect(row.score).toBeCloseTo(5, 5); // the head is bias 5 with zero weights; a sigmoid would give 0.9933
    },
  },
  {
    item: '9',
    name: 'a multi-label model gives a sigmoid per label (HF function_to_apply "sigmoid")',
    args: (f) => ['--model', f.multiLabel, '--text', 'anything', '--top-k', 'all'],
    status: 0,
    check: (r) => {
      const [out] = rows(r) as [Row[]];
      expect(out.map((x) => x.label)).toEqual(['toxic', 'funny']);
      expect(out[0]!.score).toBeCloseTo(sigmoid(2), 6); // softmax would give 0.9526 and 0.0474
      expect(out[1]!.score).toBeCloseTo(sigmoid(-1), 6);
    },
  },
  {
    item: '8',
    name: 'a model with NaN weights: exit 1 naming the tensor, no scores',
    args: (f) => ['--model', f.nan, '--text', 'good'],
    status: 1,
    names: (f) => [`--model ${f.nan}`, 'distilbert.transformer.layer.0.ffn.lin1.weight', 'non-finite values'],
    check: (r) => expect(r.stdout).toBe(''),
  },
  {
    item: '8',
    name: 'finite weights whose outputs overflow to NaN: exit 1 naming the input line, no score printed',
    args: (f, dir) => {
      writeFileSync(join(dir, 'two.txt'), 'good\nbad\n');
      return ['--model', f.overflow, '--file', join(dir, 'two.txt')];
    },
    status: 1,
    names: (_f, dir) => [`${join(dir, 'two.txt')}:1`, 'not a finite number'],
    check: (r) => expect(r.stdout).toBe(''),
  },
  {
    item: '+',
    name: '--model pointing at a file',
    args: (f) => ['--model', join(f.base, 'config.json'), '--text', 'x'],
    status: 1,
    names: (f) => [`--model ${join(f.base, 'config.json')}: is a file`],
  },
];

let f: Fixtures;
beforeAll(() => {
  requireBuild();
  f = makeFixtures();
});
afterAll(() => rmSync(f.root, { recursive: true, force: true }));

describe('predict.js faults (issue 20)', () => {
  CASES.forEach((c, i) => {
    it(`[${c.item}] ${c.name}`, () => {
      const dir = join(f.root, `case-${i}`);
      mkdirSync(dir, { recursive: true });
      const args = c.args(f, dir);
      const before = hashTree(f.root);
      const r = runScript('predict.js', args, c.input ?? '');
      expect(r.status, log(r)).toBe(c.status);
      for (const s of c.names?.(f, dir) ?? []) expect(r.stderr, log(r)).toContain(s);
      expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
      expect(hashTree(f.root), 'predict changed a file').toEqual(before);
      c.check?.(r, f);
    });
  });

  it('[9] piped into head -1: the closed pipe ends it quietly with exit 0', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `review number ${i}`).join('\n');
    writeFileSync(join(f.root, 'many.txt'), `${lines}\n`);
    const cmd = `"${process.execPath}" dist/predict.js --model "${f.head}" --file "${join(f.root, 'many.txt')}" | head -1; echo "status=\${PIPESTATUS[0]}" >&2`;
    const r = spawnSync('bash', ['-c', cmd], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('status=0');
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
  });
});
