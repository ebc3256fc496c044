// `node dist/train.js` with no flags, the Hub unreachable and nothing cached (HF_HUB_OFFLINE=1, an empty HF_HOME):
// it explains what it looked for and runs the built-in demo, which trains through the Trainer, beats chance on
// its held-out reviews, and leaves a model directory that dist/predict.js loads. Plus `--demo`'s usage errors.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const TRAIN_JS = join(repoRoot, 'dist/train.js');
const PREDICT_JS = join(repoRoot, 'dist/predict.js');

function run(script: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeout: number) {
  const r = spawnSync(process.execPath, [script, ...args], { cwd, env, encoding: 'utf8', timeout });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(TRAIN_JS) || !existsSync(PREDICT_JS))
    throw new Error('dist/ is missing: run "npm run build" (npm test does it first)');
});

describe('node dist/train.js offline with nothing cached', () => {
  it('explains, runs the built-in demo (above chance on held-out reviews), and the model loads in dist/predict.js', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'webtune-demo-'));
    const hfHome = mkdtempSync(join(tmpdir(), 'webtune-hf-home-'));
    const env: NodeJS.ProcessEnv = { ...process.env, HF_HUB_OFFLINE: '1', HF_HOME: hfHome };
    delete env.HF_HUB_CACHE;
    delete env.HUGGINGFACE_HUB_CACHE;
    const r = run(TRAIN_JS, [], cwd, env, 420_000);
    const log = `exit ${r.status} ${r.signal ?? ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr.slice(-4000)}`;
    expect(r.status, log).toBe(0);

    // The paragraph: what it looked for, where, and the flags for local files; then the demo.
    expect(r.stderr).toContain('"distilbert/distilbert-base-uncased" is not available');
    expect(r.stderr).toContain(join(hfHome, 'hub'));
    expect(r.stderr).toContain('HF_HUB_OFFLINE');
    expect(r.stderr).toContain('--model ./weights/distilbert-base-uncased --data path/to/imdb');
    expect(r.stderr).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m); // no stack trace
    expect(r.stderr).toMatch(/eval @ step \d+/); // the Trainer's evaluation each epoch

    // Held-out accuracy: printed, and the same as the best evaluation in trainer_state.json.
    const printed = Number(/Held-out accuracy: ([\d.]+) on 100 reviews/.exec(r.stdout)?.[1]);
    expect(printed, log).toBeGreaterThan(0.6);
    const dir = join(cwd, 'my_demo_model');
    const state = JSON.parse(readFileSync(join(dir, 'trainer_state.json'), 'utf8'));
    const evals = state.log_history.filter((e: Record<string, number>) => 'eval_accuracy' in e);
    expect(evals.length).toBe(5);
    const best = evals.find((e: Record<string, number>) => e.step === state.best_global_step);
    expect(best.eval_accuracy).toBeCloseTo(printed, 4);
    expect(state.best_model_checkpoint).toMatch(/checkpoint-\d+$/);

    // An ordinary HF-style directory: weights, config, the demo's vocab and tokenizer files, checkpoints.
    for (const f of [
      'model.safetensors',
      'config.json',
      'vocab.txt',
      'tokenizer_config.json',
      'special_tokens_map.json',
      'tokenizer.json',
      'training_curves.svg',
    ]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(readFileSync(join(dir, 'vocab.txt'), 'utf8').split('\n')[0]).toBe('[PAD]');
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).id2label).toEqual({
      0: 'NEGATIVE',
      1: 'POSITIVE',
    });
    expect(existsSync(join(cwd, state.best_model_checkpoint.replace(/^.*(my_demo_model)/, '$1')))).toBe(true);

    // The end of the run: the predictor's answers, where the model went, the next commands.
    expect(r.stdout).toMatch(/(POSITIVE|NEGATIVE) +[01]\.\d{3} +"/);
    expect(r.stdout).toContain(`Model saved to ${dir}`);
    // Run from outside the repository, so the commands name the scripts and the model by absolute path.
    expect(r.stdout).toContain(`node ${PREDICT_JS} --model ${dir} --text`);
    expect(r.stdout).toContain(`cd ${join(repoRoot, '.')} && npm run demo -- --model ${dir}`);
    expect(r.stdout).toMatch(
      new RegExp(`node ${TRAIN_JS} --demo --resume-from-checkpoint my_demo_model/checkpoint-\\d+`),
    );

    // dist/predict.js loads the directory and labels reviews.
    const p = run(
      PREDICT_JS,
      [
        '--model',
        dir,
        '--text',
        'Not bad at all. Highly recommended.',
        '--text',
        'What a waste of an evening. Skip it.',
      ],
      cwd,
      env,
      120_000,
    );
    expect(p.status, p.stderr).toBe(0);
    const rows = p.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)[0] as { label: string; score: number });
    expect(rows.map((x) => x.label)).toEqual(['POSITIVE', 'NEGATIVE']);
  }, 600_000);
});

describe('node dist/train.js --demo', () => {
  it('refuses the tutorial data flags (exit 2, no training) and has its own --help', () => {
    const r = run(TRAIN_JS, ['--demo', '--data', 'x'], repoRoot, process.env, 60_000);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('--data cannot be used');
    const h = run(TRAIN_JS, ['--demo', '--help'], repoRoot, process.env, 60_000);
    expect(h.status, h.stderr).toBe(0);
    expect(h.stdout).toContain('node dist/train.js --demo');
  });
});
