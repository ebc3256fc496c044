// Memory discipline of a training step: 100 iterations of forward + backward + clip + AdamW inside tidy() keep the
// pool's bytes in use / allocated and the live tensor count exactly flat after the first iteration, and the step
// reads nothing back from the GPU.
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { normal, reseed } from './helpers/check.js';

beforeAll(async () => {
  await gpu();
  reseed(707);
});

describe('memory stays flat over a training loop', () => {
  it('100 iterations of a 2-layer MLP (embedding, layerNorm, gelu, dropout, cross-entropy) + clip + AdamW', async () => {
    const [vocab, dim, hidden, classes, batch, seq] = [50, 16, 32, 3, 4, 6];
    const param = (shape: number[], std: number, name: string): Tensor => {
      const t = wt
        .tensor(
          normal(
            shape.reduce((a, b) => a * b, 1),
            std,
          ),
          shape,
        )
        .requireGrad()
        .keep();
      t.name = name;
      return t;
    };
    const emb = param([vocab, dim], 0.5, 'emb');
    const lnG = wt.ones([dim]).requireGrad().keep();
    const lnB = wt.zeros([dim]).requireGrad().keep();
    const w1 = param([hidden, dim], 0.3, 'w1');
    const b1 = wt.zeros([hidden]).requireGrad().keep();
    const w2 = param([dim, hidden], 0.3, 'w2');
    const b2 = wt.zeros([dim]).requireGrad().keep();
    const wc = param([classes, dim], 0.3, 'wc');
    const bc = wt.zeros([classes]).requireGrad().keep();
    const params = [emb, lnG, lnB, w1, b1, w2, b2, wc, bc];
    const ids = wt
      .tensor(
        Int32Array.from({ length: batch * seq }, (_, i) => (i * 7 + 3) % vocab),
        [batch, seq],
      )
      .keep();
    const labels = wt.tensor(new Int32Array([0, 2, -100, 1]), [batch]).keep();
    const rng = new wt.DropoutRng(11);
    const opt = new wt.AdamW(
      [
        { params: [emb, w1, w2, wc], weightDecay: 0.01 },
        { params: [lnG, lnB, b1, b2, bc], weightDecay: 0 },
      ],
      { lr: 1e-2 },
    );

    const forward = (): Tensor => {
      const x = wt.layerNorm(wt.embedding(emb, ids, 0), lnG, lnB, 1e-12); // [B, T, C]
      const h = wt.dropout(wt.gelu(wt.matmul(x, w1, { transB: true, bias: b1 })), 0.1, rng); // [B, T, H]
      const y = wt.add(x, wt.matmul(h, w2, { transB: true, bias: b2 })); // [B, T, C]
      const pooled = wt.mean(y, 1); // [B, C]
      const logits = wt.matmul(pooled, wc, { transB: true, bias: bc }); // [B, K]
      return wt.crossEntropy(logits, labels);
    };

    const loss0 = await wt.tidyAsync(() => forward().item());
    const rt = wt.runtime();
    await rt.sync();
    const readsBefore = rt.readbackCount;
    const snapshots: ReturnType<typeof wt.memory>[] = [];
    const t0 = performance.now();
    for (let it = 0; it < 100; it++) {
      wt.tidy(() => {
        const loss = forward();
        wt.backward(loss);
        const norm = wt.gradNorm(
          params.map((p) => p.grad!),
          1.0,
        );
        opt.stepWith(opt.lr, norm);
        opt.zeroGrad();
      });
      snapshots.push(wt.memory());
      // Let Dawn process completed work (not a readback): without yielding to the event loop, 100 steps of queued
      // submissions pile up and lavapipe crawls.
      await rt.sync();
    }
    console.log(`100 steps: ${(performance.now() - t0).toFixed(0)} ms`);
    expect(rt.readbackCount, 'readbacks inside the training steps').toBe(readsBefore);
    console.log(
      `memory after iteration 1: ${JSON.stringify(snapshots[0])}; after 100: ${JSON.stringify(snapshots[99])}`,
    );
    for (let k = 1; k < 100; k++) expect(snapshots[k], `memory after iteration ${k + 1}`).toEqual(snapshots[0]);
    await rt.sync();

    const loss1 = await wt.tidyAsync(() => forward().item());
    console.log(`loss before ${loss0.toFixed(4)}, after 100 steps ${loss1.toFixed(4)}`);
    expect(Number.isFinite(loss1)).toBe(true);
    expect(loss1).toBeLessThan(loss0);

    // Disposing everything returns the live-tensor count to where it was before the model was built.
    opt.dispose();
    for (const t of [...params, ids, labels]) t.dispose();
    expect(wt.memory().bytesInUse).toBe(0);
  });

  it('steps whose shapes vary (dynamic or skipped padding) keep the pool bounded: idle buffers are freed, not hoarded', async () => {
    const rt = wt.runtime();
    await rt.sync();
    rt.pool.trim();
    const floor = rt.pool.idleFloorBytes;
    const r = wt.seededRandom(3);
    const run = async (steps: number): Promise<{ maxAllocated: number; maxInUse: number }> => {
      let maxAllocated = 0;
      let maxInUse = 0;
      for (let s = 0; s < steps; s++) {
        const n = 4096 * (1 + Math.floor(r() * 256)); // 16 KiB … 4 MiB per tensor: a new bucket most steps
        wt.tidy(() => {
          const x = wt.full([n], 1);
          const y = wt.mulScalar(wt.add(x, x), 0.5);
          wt.sub(y, x);
          maxInUse = Math.max(maxInUse, wt.memory().bytesInUse);
        });
        maxAllocated = Math.max(maxAllocated, wt.memory().bytesAllocated);
        if (s % 10 === 9) await rt.sync();
      }
      await rt.sync();
      return { maxAllocated, maxInUse };
    };
    try {
      rt.pool.idleFloorBytes = 2 * 2 ** 20;
      const bounded = await run(60);
      // At each allocation: allocated ≤ in use + max(in use, floor) + the new buffer (≤ a step's in-use peak).
      expect(bounded.maxAllocated).toBeLessThanOrEqual(3 * bounded.maxInUse + 2 * 2 ** 20);
      // The same steps with trimming off hoard a buffer of every size seen: the bound above would fail.
      rt.pool.trim();
      rt.pool.idleFloorBytes = Infinity;
      const hoarded = await run(60);
      expect(hoarded.maxAllocated).toBeGreaterThan(3 * hoarded.maxInUse + 2 * 2 ** 20);
      console.log(
        `varying shapes, 60 steps: pool peak ${(bounded.maxAllocated / 2 ** 20).toFixed(1)} MiB with trimming, ${(hoarded.maxAllocated / 2 ** 20).toFixed(1)} MiB without`,
      );
    } finally {
      rt.pool.idleFloorBytes = floor;
      rt.pool.trim();
    }
  });
});
