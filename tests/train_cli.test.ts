// dist/train.js end to end on the small golden model and a slice of IMDb (max length 128): the loss falls, held-out
// accuracy is clearly above chance, checkpoints and trainer_state.json are HF-shaped, and the final directory
// reloads in our predictor. Plus the usage (exit 2) and missing-model (exit 1) paths.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import './helpers/node_files.js';
import { IMDB, readJson, requireBuild, runTrainCli, SMALL_MODEL, tempDir } from './train_cli.helpers.js';

beforeAll(requireBuild);

describe('train.js usage and errors', () => {
  it('--help lists the flags by group with defaults, exit 0', () => {
    const r = runTrainCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Training: optimizer:');
    expect(r.stdout).toMatch(/--learning-rate FLOAT\s+.*\(default: 0\.00002\)/);
    expect(r.stdout).toContain('--max-train-samples');
  });

  it('usage errors exit 2 and name the flag', () => {
    const bad = runTrainCli(['--learning-rate', 'fast']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--learning-rate: expected a number, got "fast"');
    const unknown = runTrainCli(['--lerning-rate', '1e-3']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('did you mean --learning-rate?');
    const mismatch = runTrainCli(['--save-strategy', 'steps']);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toContain('--load-best-model-at-end: requires the save and eval strategy to match');
  });

  it('a missing model exits 1 with the local alternatives and no stack trace', () => {
    const r = runTrainCli(['--model', './weights/no-such-model', '--data', IMDB]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot load the model "./weights/no-such-model"');
    expect(r.stderr).toContain('--model ./weights/distilbert-base-uncased');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const hub = runTrainCli(['--data', IMDB]); // the default Hub id, offline and not cached
    expect(hub.status).toBe(1);
    expect(hub.stderr).toContain('cannot load the model "distilbert/distilbert-base-uncased"');
    expect(hub.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('train.js on IMDb (small golden model, max length 128)', () => {
  const out = tempDir('e2e');
  const args = [
    '--model', SMALL_MODEL, '--data', IMDB, '--output-dir', out,
    '--max-train-samples', '384', '--max-eval-samples', '200', '--max-length', '128',
    '--per-device-train-batch-size', '8', '--num-train-epochs', '3', '--learning-rate', '3e-3',
    '--logging-steps', '12', '--save-total-limit', '2', '--seed', '42',
  ];

  it('trains: loss falls, accuracy above chance, HF-shaped checkpoints, reloadable model', async () => {
    const r = runTrainCli(args, 600_000);
    console.log(r.stderr.split('\n').filter((l) => !l.startsWith('Warning:')).join('\n'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Adapter: /);
    expect(r.stderr).toContain('Estimated run time:');
    expect(r.stdout).toContain(`node dist/predict.js --model ${out}`);
    expect(r.stdout).toContain('--resume-from-checkpoint');

    const state = readJson(join(out, 'trainer_state.json'));
    const losses = state.log_history.filter((e: any) => 'loss' in e);
    const evals = state.log_history.filter((e: any) => 'eval_loss' in e);
    for (const e of losses) expect(Object.keys(e).sort()).toEqual(['epoch', 'grad_norm', 'learning_rate', 'loss', 'step']);
    expect(evals).toHaveLength(3);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const third = Math.floor(losses.length / 3);
    const early = mean(losses.slice(0, third).map((e: any) => e.loss));
    const late = mean(losses.slice(-third).map((e: any) => e.loss));
    console.log(`train loss: first third ${early.toFixed(4)}, last third ${late.toFixed(4)}; eval accuracy ${evals.map((e: any) => e.eval_accuracy).join(', ')}`);
    expect(late).toBeLessThan(early - 0.05);
    const best = Math.max(...evals.map((e: any) => e.eval_accuracy));
    expect(best).toBeGreaterThan(0.6);

    // Best-model bookkeeping as HF: metric eval_loss (lower is better), its checkpoint kept by the rotation.
    expect(state.best_model_checkpoint).toMatch(/checkpoint-\d+$/);
    expect(state.best_metric).toBe(Math.min(...evals.map((e: any) => e.eval_loss)));
    const ckpts = readdirSync(out).filter((n) => n.startsWith('checkpoint-'));
    expect(ckpts.length).toBeLessThanOrEqual(2);
    expect(ckpts).toContain(state.best_model_checkpoint.split('/').pop());
    for (const c of ckpts) {
      for (const f of ['model.safetensors', 'config.json', 'vocab.txt', 'tokenizer_config.json', 'optimizer.safetensors', 'scheduler.json', 'rng_state.json', 'trainer_state.json', 'training_args.json']) {
        expect(existsSync(join(out, c, f)), `${c}/${f}`).toBe(true);
      }
    }
    const config = readJson(join(out, 'config.json'));
    expect(config.id2label).toEqual({ 0: 'NEGATIVE', 1: 'POSITIVE' });
    expect(config.problem_type).toBe('single_label_classification');
    expect(readFileSync(join(out, 'training_curves.svg'), 'utf8')).toMatch(/^<svg[\s\S]*eval accuracy[\s\S]*<\/svg>\n$/);

    // The final directory loads in our predictor and classifies held-out reviews.
    await gpu();
    const { pipeline } = await import('../src/pipeline/index.js');
    const clf = await pipeline('sentiment-analysis', out);
    const test = readFileSync(join(IMDB, 'test.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const sample = [...test.slice(0, 20), ...test.slice(-20)]; // 20 negative, 20 positive reviews
    const preds = await clf.classify(sample.map((e: any) => e.text), { topK: 1 });
    const right = preds.filter((p, i) => (p[0].label === 'POSITIVE' ? 1 : 0) === sample[i].label).length;
    console.log(`predictor on 40 held-out reviews: ${right}/40 right`);
    expect(preds.every((p) => p[0].score > 0.5 && p[0].score <= 1)).toBe(true);
    clf.dispose();
  }, 900_000);
});
