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
    expect(r.stdout).toMatch(/--attention \{auto,fused,unfused\}\s+.*\(default: auto\)/);
  });

  it('usage errors exit 2 and name the flag', () => {
    const bad = runTrainCli(['--learning-rate', 'fast']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--learning-rate: expected a number, got "fast"');
    const unknown = runTrainCli(['--lerning-rate', '1e-3']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('did you mean --learning-rate?');
    const attention = runTrainCli(['--attention', 'flash']);
    expect(attention.status).toBe(2);
    expect(attention.stderr).toContain('--attention: expected one of auto, fused, unfused; got "flash"');
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
  // Sized for lavapipe (~15 examples/s at length 128 here, about 2.5 minutes): 384 reviews, 5 epochs of batch 8 at
  // lr 2e-3 (no weight decay). The random-init model sits at chance for 100-180 steps, then learns the training
  // set, and held-out accuracy rises to 0.68-0.73 (seeds 42, 7, 123). lr 3e-3 or more can stay at chance for the
  // whole run, and one pass over more reviews does not leave chance: keep this recipe unless you measure another.
  // The best checkpoint is chosen by held-out accuracy (eval_loss grows as the model overfits).
  const out = tempDir('e2e');
  const args = [
    '--model',
    SMALL_MODEL,
    '--data',
    IMDB,
    '--output-dir',
    out,
    '--max-train-samples',
    '384',
    '--max-eval-samples',
    '256',
    '--max-length',
    '128',
    '--per-device-train-batch-size',
    '8',
    '--num-train-epochs',
    '5',
    '--learning-rate',
    '2e-3',
    '--warmup-ratio',
    '0.1',
    '--weight-decay',
    '0',
    '--logging-steps',
    '12',
    '--eval-strategy',
    'epoch',
    '--save-strategy',
    'epoch',
    '--metric-for-best-model',
    'accuracy',
    '--save-total-limit',
    '1',
    '--seed',
    '42',
  ];

  it('trains: loss falls, held-out accuracy above chance, HF-shaped checkpoints and trainer_state.json, the final model reloads and classifies', async () => {
    const r = runTrainCli(args, 600_000);
    console.log(
      r.stderr
        .split('\n')
        .filter((l) => !l.startsWith('Warning:'))
        .join('\n'),
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^(Warning: .*\n)*Adapter: /);
    expect(r.stderr).toContain('Estimated run time:');
    expect(r.stdout).toContain(`node dist/predict.js --model ${out}`);
    expect(r.stdout).toContain('--resume-from-checkpoint');

    const state = readJson(join(out, 'trainer_state.json'));
    expect(state.global_step).toBe(240);
    expect(state.max_steps).toBe(240);
    const losses = state.log_history.filter((e: any) => 'loss' in e);
    const evals = state.log_history.filter((e: any) => 'eval_loss' in e);
    for (const e of losses)
      expect(Object.keys(e).sort()).toEqual(['epoch', 'grad_norm', 'learning_rate', 'loss', 'step']);
    for (const e of evals) expect(e).toHaveProperty('eval_accuracy');
    expect(evals.map((e: any) => e.step)).toEqual([48, 96, 144, 192, 240]);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const early = mean(losses.slice(0, 4).map((e: any) => e.loss));
    const late = mean(losses.slice(-4).map((e: any) => e.loss));
    const accuracies = evals.map((e: any) => e.eval_accuracy);
    console.log(
      `train loss: first 4 logs ${early.toFixed(4)}, last 4 ${late.toFixed(4)}; held-out eval accuracy ${accuracies.join(', ')}`,
    );
    expect(late).toBeLessThan(early - 0.08);
    expect(late).toBeLessThan(0.4); // well below ln 2: the training set is learned
    // Held-out reviews (256, from test.jsonl, seeded sample of both classes): clearly above chance.
    expect(Math.max(...accuracies)).toBeGreaterThanOrEqual(0.62);

    // Best-model bookkeeping as HF: metric eval_accuracy (greater is better, the first of equals); with
    // save_total_limit 1 only the best stays.
    expect(state.best_metric).toBe(Math.max(...accuracies));
    expect(state.best_global_step).toBe(evals.find((e: any) => e.eval_accuracy === state.best_metric).step);
    expect(state.best_model_checkpoint).toBe(`${out}/checkpoint-${state.best_global_step}`);
    const ckpts = readdirSync(out).filter((n) => n.startsWith('checkpoint-'));
    expect(ckpts).toEqual([`checkpoint-${state.best_global_step}`]);
    for (const f of [
      'model.safetensors',
      'config.json',
      'vocab.txt',
      'tokenizer_config.json',
      'optimizer.safetensors',
      'scheduler.json',
      'rng_state.json',
      'trainer_state.json',
      'training_args.json',
    ]) {
      expect(existsSync(join(out, ckpts[0], f)), `${ckpts[0]}/${f}`).toBe(true);
    }
    const config = readJson(join(out, 'config.json'));
    expect(config.id2label).toEqual({ 0: 'NEGATIVE', 1: 'POSITIVE' });
    expect(config.problem_type).toBe('single_label_classification');
    expect(readFileSync(join(out, 'training_curves.svg'), 'utf8')).toMatch(
      /^<svg[\s\S]*eval accuracy[\s\S]*<\/svg>\n$/,
    );
    // load_best_model_at_end: the final weights are the best checkpoint's.
    expect(
      readFileSync(join(out, 'model.safetensors')).equals(readFileSync(join(out, ckpts[0], 'model.safetensors'))),
    ).toBe(true);

    // The final directory loads in our predictor and classifies.
    await gpu();
    const { pipeline } = await import('../src/pipeline/index.js');
    const clf = await pipeline('sentiment-analysis', out);
    const preds = await clf.classify(['A wonderful, moving film.', 'Dull and far too long.'], { topK: null });
    for (const p of preds) {
      expect(p.map((x) => x.label).sort()).toEqual(['NEGATIVE', 'POSITIVE']);
      expect(p[0].score + p[1].score).toBeCloseTo(1, 5);
    }
    clf.dispose();
  }, 900_000);
});

// Outside CI (WEBTUNE_LONG=1): enough reviews for the random-init model to beat chance on held-out ones.
const LONG = process.env.WEBTUNE_LONG === '1';
describe.runIf(LONG)(`train.js on IMDb, long run${LONG ? '' : ' [skipped: set WEBTUNE_LONG=1 to run it]'}`, () => {
  it(
    'held-out accuracy clearly above chance',
    () => {
      const out = tempDir('long');
      const r = runTrainCli(
        [
          '--model',
          SMALL_MODEL,
          '--data',
          IMDB,
          '--output-dir',
          out,
          '--max-train-samples',
          process.env.WEBTUNE_LONG_SAMPLES ?? '4000',
          '--max-eval-samples',
          '500',
          '--max-length',
          '128',
          '--num-train-epochs',
          '1',
          '--learning-rate',
          '1e-3',
          '--logging-steps',
          '25',
        ],
        24 * 3600_000,
      );
      console.log(r.stderr);
      expect(r.status).toBe(0);
      const evals = readJson(join(out, 'trainer_state.json')).log_history.filter((e: any) => 'eval_accuracy' in e);
      expect(evals.at(-1).eval_accuracy).toBeGreaterThan(0.6);
    },
    24 * 3600_000,
  );
});
