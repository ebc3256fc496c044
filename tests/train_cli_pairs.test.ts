// dist/train.js with sentence-pair data: the flag, a data line without its pair (exit 1 before any training work,
// naming file and line), and a short run whose examples are encoded as pairs. The model is the small golden DistilBERT
// (its tokenizer returns no token type ids); BERT and RoBERTa models come with the model registry.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJson, requireBuild, runTrainCli, SMALL_MODEL, shared, tempDir } from './train_cli.helpers.js';

beforeAll(requireBuild);

/** n premise/hypothesis/label lines made from IMDb reviews (a pair: a review's first and second sentence). */
function pairFile(dir: string, n: number, drop?: number): string {
  const reviews = readFileSync(shared('data/imdb/train.jsonl'), 'utf8').split('\n').slice(0, n);
  const lines = reviews.map((line, i) => {
    const { text, label } = JSON.parse(line) as { text: string; label: number };
    const [a = text, b = text] = text.split('. ');
    return JSON.stringify(i === drop ? { premise: a, label } : { premise: a, hypothesis: b, label });
  });
  const path = join(dir, 'pairs.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('train.js with sentence pairs', () => {
  it('--help lists --text-pair-column', () => {
    const r = runTrainCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--text-pair-column NAME\s+Column holding the second text of a sentence pair/);
  });

  it('a line without its pair field exits 1 naming the file and line, before any training work', () => {
    const dir = tempDir('pairs-bad');
    const file = pairFile(dir, 6, 4);
    const noEval = ['--eval-strategy', 'no', '--load-best-model-at-end', 'false', '--output-dir', join(dir, 'out')];
    const r = runTrainCli(['--model', SMALL_MODEL, '--train-file', file, ...noEval]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file} (line 5): missing text pair field "hypothesis" (record has premise, label)`);
    expect(r.stderr).not.toContain('Adapter:');
    const named = runTrainCli([
      '--model',
      SMALL_MODEL,
      '--train-file',
      file,
      '--text-field',
      'premise',
      '--text-pair-column',
      'nope',
      ...noEval,
    ]);
    expect(named.status).toBe(1);
    expect(named.stderr).toContain(`${file} (line 1): missing text pair field "nope"`);
  });

  it('trains on pairs (premise/hypothesis found by name) and writes the tokenizer next to the model', () => {
    const dir = tempDir('pairs-run');
    const file = pairFile(dir, 8);
    const out = join(dir, 'out');
    const r = runTrainCli([
      '--model',
      SMALL_MODEL,
      '--train-file',
      file,
      '--output-dir',
      out,
      '--eval-strategy',
      'no',
      '--load-best-model-at-end',
      'false',
      '--save-strategy',
      'no',
      '--max-steps',
      '2',
      '--per-device-train-batch-size',
      '4',
      '--max-length',
      '32',
      '--logging-steps',
      '1',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('Data: 8 training examples (sentence pairs)');
    const state = readJson(join(out, 'trainer_state.json'));
    expect(state.global_step).toBe(2);
    expect(state.log_history.filter((e: { loss?: number }) => Number.isFinite(e.loss)).length).toBe(2);
    expect(readJson(join(out, 'tokenizer_config.json')).tokenizer_class).toBe('DistilBertTokenizer');
  });
});
