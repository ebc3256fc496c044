// Kill -9 at a random point during training, resume with --resume-from-checkpoint true, and compare the final
// parameters with an uninterrupted run with the same seed (dropout on): bitwise, or within 1e-6.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  IMDB,
  maxParamDiff,
  type CliResult,
  readJson,
  requireBuild,
  runTrainCli,
  SMALL_MODEL,
  startTrainCli,
  tempDir,
} from './train_cli.helpers.js';

beforeAll(requireBuild);

const flags = (out: string): string[] => [
  '--model',
  SMALL_MODEL,
  '--data',
  IMDB,
  '--max-train-samples',
  '48',
  '--max-length',
  '32',
  '--per-device-train-batch-size',
  '8',
  '--num-train-epochs',
  '2',
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
  '2',
  '--output-dir',
  out,
];

/** Polls for `path`; fails early (with the run's stderr) when the run ends first. */
async function waitFor(path: string, timeoutMs: number, run: ReturnType<typeof startTrainCli>): Promise<void> {
  let ended: CliResult | undefined;
  void run.until.then((r) => (ended = r));
  const t0 = Date.now();
  while (!existsSync(path)) {
    if (ended)
      throw new Error(
        `the run ended (status ${ended.status}, signal ${ended.signal}) before ${path} appeared:\n${ended.stderr}`,
      );
    if (Date.now() - t0 > timeoutMs) {
      run.kill('SIGKILL');
      throw new Error(`${path} did not appear within ${timeoutMs} ms; the run's stderr so far:\n${run.stderrSoFar()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const lossesByStep = (dir: string): Map<number, number> =>
  new Map(
    (readJson(join(dir, 'trainer_state.json')).log_history as Record<string, number>[])
      .filter((e) => 'loss' in e)
      .map((e) => [e.step, e.loss]),
  );

describe('train.js: kill -9 then resume', () => {
  it('continues exactly: same final parameters and losses as an uninterrupted run', async () => {
    const full = tempDir('full');
    const straight = runTrainCli(flags(full));
    expect(straight.status, straight.stderr).toBe(0);

    const killed = tempDir('killed');
    const run = startTrainCli(flags(killed));
    await waitFor(join(killed, 'checkpoint-2'), 120_000, run);
    // A random moment after the first checkpoint: mid-step, mid-save or between steps.
    await new Promise((r) => setTimeout(r, Math.random() * 1500));
    run.kill('SIGKILL');
    const end = await run.until;
    console.log(`killed: signal ${end.signal}, status ${end.status}; folders: ${readdirSync(killed).join(', ')}`);
    expect(end.signal === 'SIGKILL' || end.status === 0).toBe(true);

    const resumed = runTrainCli([...flags(killed), '--resume-from-checkpoint', 'true']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(readdirSync(killed).filter((n) => n.includes('.tmp-'))).toEqual([]);

    const a = readFileSync(join(full, 'model.safetensors'));
    const b = readFileSync(join(killed, 'model.safetensors'));
    const diff = a.equals(b)
      ? 0
      : await maxParamDiff(join(full, 'model.safetensors'), join(killed, 'model.safetensors'));
    console.log(`final parameters: ${a.equals(b) ? 'bitwise equal' : `max |diff| ${diff}`}`);
    expect(diff).toBeLessThanOrEqual(1e-6);
    // The log continues too: every step's logged loss matches the uninterrupted run's.
    expect(lossesByStep(killed)).toEqual(lossesByStep(full));
  }, 300_000);

  it('Ctrl-C writes a checkpoint at the current step and exits 130 with the resume command', async () => {
    const out = tempDir('sigint');
    const run = startTrainCli(flags(out));
    await waitFor(join(out, 'checkpoint-2'), 120_000, run);
    run.kill('SIGINT');
    const end = await run.until;
    expect(end.status, end.stderr).toBe(130);
    const m = /stopped at step (\d+); checkpoint written to (\S+)/.exec(end.stderr);
    expect(m, end.stderr).not.toBeNull();
    expect(existsSync(join(m![2], 'trainer_state.json'))).toBe(true);
    expect(readJson(join(m![2], 'trainer_state.json')).global_step).toBe(Number(m![1]));
    expect(end.stderr).toContain(`--resume-from-checkpoint ${m![2]}`);
  }, 300_000);
});
