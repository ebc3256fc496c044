// dist/predict.js end to end (flags, files, stdin, exit codes) against transformers' pipeline outputs, plus the
// argument parser and file readers on their own.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePredictArgs, textsFromFile, UsageError } from '../src/cli/predict_args.js';

const MODEL = '../shared/golden/small-distilbert-realvocab';
const golden = JSON.parse(readFileSync(`${MODEL}/pipeline.json`, 'utf8'));
const e2e = JSON.parse(readFileSync(`${MODEL}/e2e.json`, 'utf8'));
const LONG = e2e.texts[golden.long_text_index_in_texts] as string;
type Row = { label: string; score: number };

function predict(args: string[], input = ''): { code: number; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, ['dist/predict.js', ...args], { input, encoding: 'utf8', timeout: 110_000 });
  return { code: r.status ?? -1, stderr: r.stderr, stdout: r.stdout };
}

/** stdout → one parsed result per line. */
const jsonLines = (stdout: string): Row[][] =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row[]);

function expectRows(got: Row[], want: Row[]): void {
  expect(got.map((r) => r.label)).toEqual(want.map((r) => r.label));
  got.forEach((r, i) => expect(Math.abs(r.score - want[i]!.score)).toBeLessThan(1e-5));
}

beforeAll(() => {
  if (!existsSync('dist/predict.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
});

describe('dist/predict.js', () => {
  it('--text … prints one JSON line per input: HF top-1 results', () => {
    const r = predict(['--model', MODEL, ...golden.texts.flatMap((t: string) => ['--text', t])]);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(3);
    lines.forEach((row, i) => expectRows(row, [golden.default[i]]));
  });

  it('reads stdin and JSONL/text files in order; --top-k all gives every label; long reviews are truncated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'webtune-predict-'));
    writeFileSync(
      join(dir, 'a.jsonl'),
      `${JSON.stringify({ text: golden.texts[1], label: 0 })}\n\n${JSON.stringify(golden.texts[2])}\n`,
    );
    writeFileSync(join(dir, 'b.txt'), `${LONG}\r\n`);
    const r = predict(
      ['--model', MODEL, '--file', '-', '--file', join(dir, 'a.jsonl'), '--file', join(dir, 'b.txt'), '--top-k', 'all'],
      `${golden.texts[0]}\n`,
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    // stdin's line, a.jsonl's two texts and its blank line 2 (scored as ""), b.txt's line.
    expect(lines).toHaveLength(5);
    [lines[0], lines[1], lines[3]].forEach((row, i) => expectRows(row!, golden.default_top_k_None[i]));
    expectRows(lines[4]!.slice(0, 1), golden.long_text_with_truncation_True);
  });

  it('--help exits 0; usage errors exit 2; runtime errors exit 1 with a clear message', () => {
    const help = predict(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: node dist\/predict\.js --model DIR/);
    for (const [args, message] of [
      [['--text', 'x'], /--model DIR is required/],
      [['--model', MODEL, '--top-k', '0'], /--top-k must be a positive integer/],
      [['--model', MODEL, '--frobnicate'], /unknown option --frobnicate/],
      [['--model', MODEL, 'stray'], /unexpected argument "stray"/],
    ] as const) {
      const r = predict([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const noDir = predict(['--model', '/nonexistent/model', '--text', 'x']);
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toMatch(/predict: error: --model \/nonexistent\/model: no such directory/);
    const noFile = predict(['--model', MODEL, '--file', '/nonexistent/texts.txt']);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/\/nonexistent\/texts\.txt: cannot read \(file not found\)/);
  });
});

describe('predict arguments and inputs', () => {
  it('parses repeated flags, --flag=value and --top-k all', () => {
    const a = parsePredictArgs([
      '--model=m',
      '--text',
      'a',
      '--text=b',
      '--top-k',
      'all',
      '--batch-size',
      '4',
      '--no-truncation',
    ]);
    expect(a).toMatchObject({ model: 'm', texts: ['a', 'b'], topK: null, batchSize: 4, truncation: false });
    expect(() => parsePredictArgs(['--model', 'm', '--text'])).toThrow(UsageError);
    expect(() => parsePredictArgs(['--model', 'm', '--max-length', '9', '--no-truncation'])).toThrow(
      /needs truncation/,
    );
    expect(a.dtype).toBe('fp32');
    expect(parsePredictArgs(['--model', 'm', '--dtype', 'fp16']).dtype).toBe('fp16');
    expect(() => parsePredictArgs(['--model', 'm', '--dtype=fp8'])).toThrow(/--dtype must be fp32 or fp16, got "fp8"/);
  });

  it('text files split on \\n only (U+0085 stays inside a review), one text per line, blank lines kept; JSONL errors name the line', () => {
    expect(textsFromFile('a\u0085b\r\n\n  \nc', 'x.txt')).toEqual(['a\u0085b', '', '  ', 'c']);
    expect(textsFromFile('"s"\n\n{"text":"t","id":1}\n', 'x.jsonl')).toEqual(['s', '', 't']);
    expect(textsFromFile('', 'x.txt')).toEqual([]);
    expect(() => textsFromFile('"ok"\n{"label":1}', 'x.jsonl')).toThrow(
      /x\.jsonl:2: expected a JSON string or an object with a "text" string/,
    );
    expect(() => textsFromFile('{oops', 'x.ndjson')).toThrow(/x\.ndjson:1: not valid JSON/);
  });
});
