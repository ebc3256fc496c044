// The fault suite's signal and resume cases (issue 20, item 10): kill -9 again and again at random moments of a
// short run, several of them in the middle of a checkpoint write, resuming each time as a user would; SIGTERM
// writing a checkpoint and exiting 143; and --resume-from-checkpoint true stepping past a damaged newest checkpoint.
// Each ends with a final model bit-identical to an uninterrupted run's (dropout on, same seed).
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from '../train_cli.helpers.js';
import { hashTree, log, makeFixtures, runScript, startTrain, type Fixtures, type Run } from './fixtures.js';

let f: Fixtures;
let work: string;
let reference: string;

const flags = (out: string): string[] => [
  '--model',
  f.tiny,
  '--train-file',
  f.data.numeric,
  '--max-length',
  '16',
  '--per-device-train-batch-size',
  '2',
  '--max-steps',
  '32',
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
  '--save-total-limit',
  '2',
  '--output-dir',
  out,
];
const complete = (out: string): string[] =>
  existsSync(out) ? readdirSync(out).filter((n) => /^checkpoint-\d+$/.test(n)) : [];
const temporaries = (out: string): string[] =>
  existsSync(out) ? readdirSync(out).filter((n) => n.includes('.tmp-')) : [];
const losses = (out: string): Array<[number, number]> =>
  JSON.parse(readFileSync(join(out, 'trainer_state.json'), 'utf8'))
    .log_history.filter((e: Record<string, number>) => 'loss' in e)
    .map((e: Record<string, number>) => [e.step, e.loss]);
const sameModel = (out: string): boolean =>
  readFileSync(join(out, 'model.safetensors')).equals(readFileSync(join(reference, 'model.safetensors')));

const newestStep = (out: string): number => Math.max(0, ...complete(out).map((n) => Number(n.split('-')[1])));
/** What a user does after a crash: resume when a checkpoint exists, else start over (clearing any half-write). */
const restart = (out: string): string[] =>
  complete(out).length > 0 ? ['--resume-from-checkpoint', 'true'] : existsSync(out) ? ['--overwrite-output-dir'] : [];

/** Resolves when `cond()` holds (polled every 2 ms), or with false when the run ends first. */
async function until(cond: () => boolean, run: ReturnType<typeof startTrain>): Promise<boolean> {
  let ended = false;
  void run.until.then(() => (ended = true));
  while (!cond()) {
    if (ended) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  return true;
}

beforeAll(() => {
  requireBuild();
  f = makeFixtures();
  work = mkdtempSync(join(tmpdir(), 'webtune-faults-kill-'));
  reference = join(work, 'reference');
  const r = runScript('train.js', flags(reference));
  expect(r.status, log(r)).toBe(0);
}, 240_000);
afterAll(() => {
  rmSync(f.root, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('train.js under kill -9, SIGTERM and a damaged checkpoint (issue 20, item 10)', () => {
  it('kill -9 five times, alternately mid-checkpoint-write and at a random moment: the resumed run is bit-identical', async () => {
    const out = join(work, 'killed');
    const inputs = hashTree(f.root);
    const events: string[] = [];
    let writesHit = 0;
    for (let k = 0; k < 5; k++) {
      const start = newestStep(out);
      const run = startTrain([...flags(out), ...restart(out)]);
      // Each run first completes one checkpoint past where it started (so the runs make progress), then is killed
      // either in the middle of writing the next one or at a random moment.
      let hit = await until(() => newestStep(out) > start, run);
      if (hit && k % 2 === 0) {
        hit = await until(() => temporaries(out).some((n) => n.startsWith('checkpoint-')), run);
        if (hit) writesHit++;
      } else if (hit) {
        await new Promise((r) => setTimeout(r, Math.random() * 600));
      }
      run.kill('SIGKILL');
      const end: Run = await run.until;
      events.push(
        `${k % 2 === 0 ? 'mid-write' : 'random'}: ${end.signal ?? `exit ${end.status}`}, left ${complete(out).join(' ') || 'no checkpoint'} ${temporaries(out).join(' ')}`,
      );
      if (end.status === 0) break; // finished before the kill: nothing left to interrupt
    }
    console.log(events.join('\n'));
    expect(writesHit, events.join('\n')).toBeGreaterThanOrEqual(2);
    const last = runScript('train.js', [...flags(out), ...restart(out)]);
    expect(last.status, log(last)).toBe(0);
    expect(temporaries(out)).toEqual([]);
    expect(sameModel(out), 'final model.safetensors differs from the uninterrupted run').toBe(true);
    expect(losses(out)).toEqual(losses(reference));
    expect(hashTree(f.root), 'an input file changed').toEqual(inputs);
  }, 600_000);

  it('SIGTERM writes a checkpoint and exits 143 with the resume command; resuming is bit-identical', async () => {
    const out = join(work, 'sigterm');
    const run = startTrain(flags(out));
    expect(await until(() => complete(out).includes('checkpoint-4'), run)).toBe(true);
    run.kill('SIGTERM');
    const end = await run.until;
    expect(end.status, log(end)).toBe(143);
    const m = /stopped at step (\d+); checkpoint written to (\S+)/.exec(end.stderr);
    expect(m, log(end)).not.toBeNull();
    expect(existsSync(join(m![2]!, 'trainer_state.json'))).toBe(true);
    expect(end.stderr).toContain(`--resume-from-checkpoint ${m![2]}`);
    const resumed = runScript('train.js', [...flags(out), '--resume-from-checkpoint', 'true']);
    expect(resumed.status, log(resumed)).toBe(0);
    expect(sameModel(out)).toBe(true);
  }, 300_000);

  it('--resume-from-checkpoint true skips a damaged newest checkpoint with a warning naming it, and ends bit-identical', () => {
    const out = join(work, 'damaged');
    cpSync(reference, out, { recursive: true });
    const newest = join(out, 'checkpoint-32');
    writeFileSync(join(newest, 'model.safetensors'), 'truncated');
    rmSync(join(out, 'model.safetensors')); // the final model must be written again by this run
    const r = runScript('train.js', [...flags(out), '--resume-from-checkpoint', 'true']);
    expect(r.status, log(r)).toBe(0);
    expect(r.stderr).toContain(`skipping ${newest}, which cannot be read`);
    expect(r.stderr).toContain(join(newest, 'model.safetensors'));
    expect(sameModel(out)).toBe(true);
  }, 300_000);
});
