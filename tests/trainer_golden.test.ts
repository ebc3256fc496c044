// The Trainer itself (not a hand loop) against HF's 3-step trajectory: dropout off, lr 1e-3, weight decay 0.01,
// linear schedule, max_steps 3, batch 3, the golden batch every step. Losses, lrs, grad norms, log_history and
// the parameters after step 3 (max_grad_norm 1.0, where clipping is a no-op, and 0.1, where it is active).
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import { runtime } from '../src/index.js';
import { MemoryCheckpointStore, Trainer, TrainingArguments } from '../src/train/index.js';
import { compare, readGoldenJson, readGoldenTensors, report } from './distilbert.helpers.js';
import { goldenCollator, placeholderDataset, tinyModel } from './trainer.helpers.js';

beforeAll(async () => {
  await gpu();
});

const traj = readGoldenJson('tiny-distilbert/trajectory.json');

async function runGolden(
  maxGradNorm: number,
  extra: Partial<ConstructorParameters<typeof TrainingArguments>[0]> = {},
  datasetSize = 3,
) {
  const model = await tinyModel(true);
  const args = new TrainingArguments({
    outputDir: 'golden-run',
    learningRate: 1e-3,
    weightDecay: 0.01,
    maxSteps: 3,
    perDeviceTrainBatchSize: 3,
    loggingSteps: 1,
    saveStrategy: 'no',
    maxGradNorm,
    ...extra,
  });
  const trainer = new Trainer({
    model,
    args,
    trainDataset: placeholderDataset(datasetSize),
    dataCollator: goldenCollator,
    store: new MemoryCheckpointStore(),
  });
  const out = await trainer.train();
  const params = await model.stateDict();
  trainer.dispose();
  model.dispose();
  return { out, state: trainer.state, params };
}

function checkParams(title: string, params: Map<string, Float32Array>, goldenFile: string): void {
  const golden = readGoldenTensors(goldenFile);
  const rows = [...golden].map(([name, t]) => compare(name, params.get(name)!, t.data, 1e-6, 1e-5));
  expect(report(title, rows)).toEqual([]);
}

function checkLogs(
  state: { logHistory: Record<string, number>[] },
  steps: { lr: number; loss: number; grad_norm_before_clip: number }[],
  hf: Record<string, number>[],
): void {
  const train = state.logHistory.filter((e) => 'loss' in e);
  expect(train).toHaveLength(3);
  train.forEach((e, k) => {
    expect(e.step).toBe(k + 1);
    expect(e.epoch).toBe(k + 1); // dataset of 3 at batch 3: one step per epoch, as HF's run logged
    expect(e.loss).toBe(hf[k].loss); // rounded to 4 decimals, like HF's log
    expect(Math.abs(e.learning_rate - steps[k].lr)).toBeLessThan(1e-15);
    expect(Math.abs(e.grad_norm - steps[k].grad_norm_before_clip)).toBeLessThan(
      1e-6 + 1e-5 * steps[k].grad_norm_before_clip,
    );
  });
}

describe('Trainer reproduces the golden trajectory', () => {
  it('max_grad_norm 1.0: losses, lrs, grad norms, log_history and params after step 3', async () => {
    const { out, state, params } = await runGolden(1.0);
    checkLogs(state, traj.steps, traj.cross_checks.real_trainer_log_history);
    checkParams(
      'params after step 3 (Trainer, max_grad_norm 1.0)',
      params,
      'tiny-distilbert/params_after_step3.safetensors',
    );
    const losses = traj.steps.map((s: { loss: number }) => s.loss);
    expect(out.trainingLoss).toBeCloseTo(losses.reduce((a: number, b: number) => a + b, 0) / 3, 5);
    const final = state.logHistory.at(-1)!;
    expect(Object.keys(final).sort()).toEqual([
      'epoch',
      'step',
      'total_flos',
      'train_loss',
      'train_runtime',
      'train_samples_per_second',
      'train_steps_per_second',
    ]);
  });

  it('max_grad_norm 0.1: clipping active at every step', async () => {
    const v = traj.variant_max_grad_norm_0_1 ?? traj['variant_max_grad_norm_0.1'];
    const { state, params } = await runGolden(0.1);
    checkLogs(state, v.steps, v.real_trainer_log_history);
    checkParams(
      'params after step 3 (Trainer, max_grad_norm 0.1)',
      params,
      'tiny-distilbert/params_after_step3_maxgradnorm0.1.safetensors',
    );
  });

  it('gradient accumulation: two identical micro-batches of loss/2 give the same trajectory', async () => {
    const { state, params } = await runGolden(1.0, { gradientAccumulationSteps: 2 }, 6);
    checkLogs(state, traj.steps, traj.cross_checks.real_trainer_log_history);
    checkParams(
      'params after step 3 (Trainer, 2 accumulated micro-batches)',
      params,
      'tiny-distilbert/params_after_step3.safetensors',
    );
  });

  it('reads nothing back on steps that do not log', async () => {
    const model = await tinyModel(true);
    const args = new TrainingArguments({
      outputDir: 'x',
      maxSteps: 4,
      perDeviceTrainBatchSize: 3,
      loggingSteps: 2,
      saveStrategy: 'no',
    });
    const counts: number[] = [];
    const trainer = new Trainer({
      model,
      args,
      trainDataset: placeholderDataset(3),
      dataCollator: goldenCollator,
      store: new MemoryCheckpointStore(),
      callbacks: [{ onStepEnd: () => void counts.push(runtime().readbackCount) }],
    });
    await trainer.train();
    // Readbacks between step k−1's end and step k's end: only the loss and grad_norm of step 2's log.
    expect(counts[1] - counts[0]).toBe(0);
    expect(counts[2] - counts[1]).toBe(2);
    expect(counts[3] - counts[2]).toBe(0);
    expect(trainer.state.logHistory.filter((e) => 'loss' in e).map((e) => e.step)).toEqual([2, 4]);
    trainer.dispose();
    model.dispose();
  });
});
