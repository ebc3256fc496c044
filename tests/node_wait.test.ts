// The Node-side wait for Dawn promises (no busy loop): it must deliver values and rejections unchanged, for promises
// that settle at once, after many event-loop turns, and from real GPU work.
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import { throttledWait } from '../src/runtime/node_gpu.js';

beforeAll(async () => {
  await gpu();
});

describe('throttledWait', () => {
  it('resolves with the value of quick and slow promises', async () => {
    expect(await throttledWait(Promise.resolve(3))).toBe(3);
    expect(await throttledWait(new Promise((r) => setTimeout(() => r('late'), 60)))).toBe('late');
    expect(await throttledWait(new Promise((r) => setImmediate(() => r(7))))).toBe(7);
  });
  it('rejects with the original error, without an unhandled rejection meanwhile', async () => {
    const err = new Error('device lost');
    await expect(throttledWait(new Promise((_, rej) => setTimeout(() => rej(err), 30)))).rejects.toBe(err);
  });
  it('serves the runtime: readbacks after long GPU work return the right data', async () => {
    const a = wt.randNormal([256, 512], 3);
    const b = wt.randNormal([512, 256], 4);
    const c = wt.matmul(a, b);
    const [av, bv, cv] = [await a.data(), await b.data(), await c.data()];
    let s = 0;
    for (let k = 0; k < 512; k++) s += av[5 * 512 + k] * bv[k * 256 + 9];
    expect(Math.abs(cv[5 * 256 + 9] - s)).toBeLessThan(1e-3);
    await wt.runtime().sync();
    for (const t of [a, b, c]) t.dispose();
  });
});
