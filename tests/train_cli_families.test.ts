// train.js --model on a BERT and a RoBERTa directory (the tiny golden ones, a few IMDb reviews): it trains, writes
// checkpoints, resumes from one to the same final parameters bit for bit, and leaves a directory Hugging Face loads:
// config.json with the golden's fields (plus problem_type, as HF records after training, and the labels), the
// tensor names and shapes, the tokenizer files; predict.js scores with it. Sentence pairs train BERT through
// --text-pair-column.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSafetensors } from '../src/io/safetensors.js';
import { IMDB, readJson, repoRoot, requireBuild, runTrainCli, shared, tempDir } from './train_cli.helpers.js';

beforeAll(requireBuild);

const flags = (model: string, out: string): string[] => [
  '--model',
  model,
  '--data',
  IMDB,
  '--max-train-samples',
  '24',
  '--max-length',
  '32',
  '--per-device-train-batch-size',
  '8',
  '--num-train-epochs',
  '1',
  '--learning-rate',
  '1e-3',
  '--seed',
  '7',
  '--logging-steps',
  '1',
  '--eval-strategy',
  'no',
  '--load-best-model-at-end',
  'false',
  '--save-strategy',
  'steps',
  '--save-steps',
  '1',
  '--output-dir',
  out,
];

const header = (path: string): Map<string, number[]> =>
  new Map([...parseSafetensors(new Uint8Array(readFileSync(path)), path).tensors].map(([n, t]) => [n, [...t.shape]]));

const FAMILIES = [
  { dir: 'tiny-bert', tokenizerFiles: ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json'] },
  { dir: 'tiny-roberta', tokenizerFiles: ['vocab.json', 'merges.txt', 'tokenizer.json', 'tokenizer_config.json'] },
];

for (const fam of FAMILIES) {
  describe(`train.js --model ${fam.dir}`, () => {
    const model = shared(`golden/${fam.dir}`);

    it('trains, checkpoints, resumes bit-identically; the output is what HF loads; predict.js uses it', () => {
      const full = tempDir(`${fam.dir}-full`);
      const run = runTrainCli(flags(model, full));
      expect(run.status, run.stderr).toBe(0);
      for (const step of [1, 2, 3])
        expect(existsSync(join(full, `checkpoint-${step}`, 'model.safetensors')), `checkpoint-${step}`).toBe(true);

      // What HF loads: the golden config's fields (plus problem_type), its tensor names and shapes, the tokenizer.
      const golden = readJson(join(model, 'config.json'));
      const saved = readJson(join(full, 'config.json'));
      // Labels named by the data (RoBERTa's golden config has HF's default LABEL_0/1, so no id2label) are written.
      expect(Object.keys(saved).sort()).toEqual(
        [...new Set([...Object.keys(golden), 'problem_type', 'id2label', 'label2id'])].sort(),
      );
      expect(saved.id2label).toEqual({ 0: 'NEGATIVE', 1: 'POSITIVE' });
      expect(saved.problem_type).toBe('single_label_classification');
      for (const key of Object.keys(golden))
        if (key !== 'id2label' && key !== 'label2id') expect(saved[key], key).toEqual(golden[key]);
      expect(header(join(full, 'model.safetensors'))).toEqual(header(join(model, 'model.safetensors')));
      for (const f of fam.tokenizerFiles) expect(existsSync(join(full, f)), f).toBe(true);

      // Resume from checkpoint-1 of a second run: the same final parameters, bit for bit.
      const resumed = tempDir(`${fam.dir}-resumed`);
      expect(runTrainCli(flags(model, resumed)).status).toBe(0);
      for (const f of ['model.safetensors', 'config.json', 'trainer_state.json', 'checkpoint-2', 'checkpoint-3']) {
        rmSync(join(resumed, f), { recursive: true, force: true });
      }
      const again = runTrainCli([...flags(model, resumed), '--resume-from-checkpoint', join(resumed, 'checkpoint-1')]);
      expect(again.status, again.stderr).toBe(0);
      expect(
        readFileSync(join(resumed, 'model.safetensors')).equals(readFileSync(join(full, 'model.safetensors'))),
      ).toBe(true);

      const predict = spawnSync(
        process.execPath,
        [join(repoRoot, 'dist/predict.js'), '--model', full, '--text', 'A wonderful film.'],
        { encoding: 'utf8' },
      );
      expect(predict.status, predict.stderr).toBe(0);
      const [result] = predict.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(['NEGATIVE', 'POSITIVE']).toContain(result[0].label);
      rmSync(full, { recursive: true, force: true });
      rmSync(resumed, { recursive: true, force: true });
    }, 300_000);
  });
}

describe('train.js on sentence pairs (--text-pair-column)', () => {
  it('encodes each example as a pair with token type ids and trains BERT on it', () => {
    const rows = readFileSync(join(IMDB, 'train.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { text: string; label: number });
    const picked = [...rows.slice(0, 12), ...rows.slice(-12)];
    const dir = tempDir('pairs');
    const file = join(dir, 'pairs.jsonl');
    writeFileSync(
      file,
      picked
        .map((r) =>
          JSON.stringify({ premise: r.text.slice(0, 200), hypothesis: r.text.slice(200, 400), label: r.label }),
        )
        .join('\n'),
    );
    const out = join(dir, 'out');
    const run = runTrainCli([
      '--model',
      shared('golden/tiny-bert'),
      '--train-file',
      file,
      '--text-field',
      'premise',
      '--text-pair-column',
      'hypothesis',
      '--max-length',
      '48',
      '--per-device-train-batch-size',
      '8',
      '--num-train-epochs',
      '1',
      '--seed',
      '7',
      '--logging-steps',
      '1',
      '--eval-strategy',
      'no',
      '--load-best-model-at-end',
      'false',
      '--save-strategy',
      'no',
      '--output-dir',
      out,
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('24 training examples (sentence pairs)');
    const losses = (readJson(join(out, 'trainer_state.json')).log_history as Array<{ loss?: number }>).filter(
      (e) => e.loss !== undefined,
    );
    expect(losses.length).toBe(3);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
