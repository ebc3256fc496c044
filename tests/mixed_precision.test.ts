// Mixed precision (TrainingArguments.fp16): autocast semantics of the products (f16 operands forward and backward,
// f32 accumulation, the rest f32) against a float64 reference of the very halves; the tiny golden model's forward
// and gradients under autocast close to f32 (stated tolerance); and the Trainer with the GradScaler: overflowing
// steps skipped (schedule not advanced, logged as HF logs them, no numerics error), the scale backing off, a
// short run's loss curve close to the f32 run's, and divergence still stopped.
import { describe, expect, it } from 'vitest';
import { itNeeds, lacksFeature } from './helpers/needs.js';
import { poison } from './helpers/check.js';
import { randArray } from './helpers/matmul_ref.js';
import * as wt from '../src/index.js';
import { autocast, autocastDtype } from '../src/ops/autocast.js';
import { MemoryCheckpointStore, Trainer, TrainingArguments } from '../src/train/index.js';
import { NonFiniteError } from '../src/train/numerics.js';
import { LrScheduler } from '../src/train/schedule.js';
import { parsePythonJson } from '../src/train/checkpoint.js';
import { MixedPrecision } from '../src/train/mixed_precision.js';
import { goldenBatch, goldenCollator, placeholderDataset, tinyModel } from './trainer.helpers.js';

const NO_F16 = await lacksFeature('shader-f16');

/** IEEE round-to-nearest-even to a half, as a float64. */
function toHalf(v: number): number {
  const a = Math.abs(v);
  if (a >= 65520) return Math.sign(v) * Infinity;
  const e = Math.max(Math.floor(Math.log2(a || 1)), -14);
  const q = 2 ** (e - 10);
  const r = a / q;
  const f = Math.floor(r);
  const n = r - f > 0.5 || (r - f === 0.5 && f % 2 === 1) ? f + 1 : f;
  return Math.sign(v) * n * q;
}

/** float64 A·Bᵀ of [m,k]·[n,k]. */
function matmulNT(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t]! * b[j * k + t]!;
      c[i * n + j] = s;
    }
  return c;
}

const maxRel = (got: ArrayLike<number>, want: ArrayLike<number>): number => {
  let e = 0;
  for (let i = 0; i < want.length; i++)
    e = Number.isNaN(got[i]) ? Infinity : Math.max(e, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
  return e;
};

describe('autocast', () => {
  it('is a scope: on inside, off outside and in autocast(null), restored after throws', () => {
    expect(autocastDtype()).toBe(null);
    if (!NO_F16) {
      expect(autocast('f16', () => [autocastDtype(), autocast(null, () => autocastDtype()), autocastDtype()])).toEqual([
        'f16',
        null,
        'f16',
      ]);
      expect(() =>
        autocast('f16', () => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
    }
    expect(autocastDtype()).toBe(null);
    expect(() => autocast('bf16' as never, () => 0)).toThrow(/dtype must be 'f16' or null, got "bf16"/);
  });

  itNeeds(
    NO_F16,
    'a Linear-shaped product takes half operands forward and backward (f32 results) vs float64 of the halves',
    async () => {
      const [m, n, k] = [33, 7, 129];
      const av = randArray(m * k, 1);
      const wv = Float32Array.from(randArray(n * k, 2), (v) => v * 3e-3); // small weights: rounding them matters
      const gv = Float32Array.from(randArray(m * n, 3), (v) => v * 1e-3);
      const a = wt.tensor(av, [m, k]).requireGrad();
      const w = wt.tensor(wv, [n, k]).requireGrad();
      poison([m, n], [m, k], [n, k]);
      const y = autocast('f16', () => wt.matmul(a, w, { transB: true }));
      expect(y.dtype).toBe('f32');
      const ah = Array.from(av, toHalf);
      const wh = Array.from(wv, toHalf);
      const gh = Array.from(gv, toHalf);
      const yv = await y.data();
      const want = matmulNT(ah, wh, m, n, k);
      expect(maxRel(yv, want)).toBeLessThan(2e-6); // f32 accumulation of the exact half products
      expect(maxRel(yv, matmulNT(av, wv, m, n, k))).toBeGreaterThan(1e-6); // the f32 operands were not used
      wt.backward(y, wt.tensor(gv, [m, n]));
      expect(a.grad!.dtype).toBe('f32');
      expect(w.grad!.dtype).toBe('f32');
      // dA = dY·W and dW = dYᵀ·A, both on halves (dY cast once).
      const wT = new Float64Array(k * n);
      for (let j = 0; j < n; j++) for (let t = 0; t < k; t++) wT[t * n + j] = wh[j * k + t]!;
      const aT = new Float64Array(k * m);
      const gT = new Float64Array(n * m);
      for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) aT[t * m + i] = ah[i * k + t]!;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) gT[j * m + i] = gh[i * n + j]!;
      expect(maxRel(await a.grad!.data(), matmulNT(gh, wT, m, k, n))).toBeLessThan(2e-6);
      expect(maxRel(await w.grad!.data(), matmulNT(gT, aT, n, k, m))).toBeLessThan(2e-6);
      for (const t of [a, w, y, a.grad!, w.grad!]) t.dispose();
    },
  );

  // The loss scaled by 2^16 as the GradScaler does (small gradients would flush to zero in f16), then unscaled.
  itNeeds(
    NO_F16,
    'the tiny golden model under autocast (loss scaled 2^16): logits within 2e-3, every gradient within 1e-2 of f32',
    async () => {
      const m = (await tinyModel(true)).train();
      const batch = goldenBatch();
      const shape = [batch.batchSize, batch.seqLen];
      const inputs = {
        inputIds: { data: batch.inputIds, shape },
        attentionMask: { data: batch.attentionMask, shape },
        labels: batch.labels,
      };
      const run = (amp: boolean, scale = amp ? 2 ** 16 : 1): Promise<{ logits: Float32Array; grads: Float32Array[] }> =>
        wt.tidyAsync(async () => {
          const { logits, loss } = amp ? autocast('f16', () => m.forward(inputs)) : m.forward(inputs);
          wt.backward(wt.mulScalar(loss!, scale));
          const grads = await Promise.all(
            m.parameters().map(async (p) => Float32Array.from(await p.grad!.data(), (v) => v / scale)),
          );
          m.parameters().forEach((p) => {
            p.grad?.dispose();
            p.grad = undefined;
          });
          return { logits: (await logits.data()) as Float32Array, grads };
        });
      const f32 = await run(false);
      m.setMatmulDtype('f16'); // the Trainer's weight-cast cache
      const weightsOnly = await run(false);
      const amp = await run(true);
      const unscaled = await run(true, 1);
      const rel = (a: Float32Array, b: Float32Array): number => {
        let d = 0;
        let s = 1e-6;
        for (let i = 0; i < a.length; i++) {
          d = Math.max(d, Math.abs(a[i]! - b[i]!));
          s = Math.max(s, Math.abs(b[i]!));
        }
        return d / s;
      };
      const dLogits = rel(amp.logits, f32.logits);
      expect(dLogits).toBeLessThan(2e-3);
      expect(rel(amp.logits, weightsOnly.logits)).toBeGreaterThan(0); // activations were rounded too
      let worst = 0;
      amp.grads.forEach((g, i) => {
        const e = rel(g, f32.grads[i]!);
        worst = Math.max(worst, e);
        expect(e, m.namedParameters()[i]![0]).toBeLessThan(1e-2);
      });
      // Unscaled, the small attention gradients flush to zero in f16: why the GradScaler exists.
      expect(Math.max(...unscaled.grads.map((g, i) => rel(g, f32.grads[i]!)))).toBeGreaterThan(5e-2);
      console.log(
        `autocast f16 vs f32 (tiny golden model): logits ${dLogits.toExponential(2)}, worst gradient ${worst.toExponential(2)} (max|Δ|/max|x|)`,
      );
      m.dispose();
    },
  );
});

describe('a mixed-precision training step', () => {
  itNeeds(
    NO_F16,
    'reads nothing back and keeps GPU memory flat (autocast, scaler, scheduled AdamW, clipping)',
    async () => {
      const m = (await tinyModel(true)).train().setMatmulDtype('f16');
      const batch = goldenBatch();
      const shape = [batch.batchSize, batch.seqLen];
      const inputs = {
        inputIds: { data: batch.inputIds, shape },
        attentionMask: { data: batch.attentionMask, shape },
        labels: batch.labels,
      };
      const amp = new MixedPrecision();
      const opt = new wt.AdamW(m.optimizerGroups(0.01), { lr: 1e-3 });
      amp.schedule(opt, new LrScheduler('linear', 1e-3, 0, 20), 20);
      const rt = wt.runtime();
      await rt.sync();
      const reads = rt.readbackCount;
      const snapshots: ReturnType<typeof wt.memory>[] = [];
      for (let it = 0; it < 8; it++) {
        wt.tidy(() => {
          amp.backward(amp.autocast(() => m.forward(inputs)).loss!);
          amp.step(
            opt,
            m.parameters().map((p) => p.grad!),
            (gs) => wt.gradNorm(gs, 1.0),
          );
          opt.zeroGrad();
        });
        snapshots.push(wt.memory());
        await rt.sync();
      }
      expect(rt.readbackCount).toBe(reads);
      for (let k = 2; k < snapshots.length; k++)
        expect(snapshots[k], `memory after step ${k + 1}`).toEqual(snapshots[1]);
      expect((await opt.scheduledSteps()).taken).toBe(8);
      opt.dispose();
      amp.dispose();
      m.dispose();
    },
  );
});

describe('Trainer with fp16 (autocast + GradScaler)', () => {
  const args = (
    fp16: boolean,
    extra: Partial<ConstructorParameters<typeof TrainingArguments>[0]> = {},
  ): TrainingArguments =>
    new TrainingArguments({
      outputDir: 'mem',
      fp16,
      learningRate: 1e-3,
      perDeviceTrainBatchSize: 3,
      maxSteps: 10,
      loggingSteps: 1,
      saveStrategy: 'no',
      seed: 1,
      lrSchedulerType: 'linear',
      ...extra,
    });
  const train = async (fp16: boolean, scaler?: { initScale: number }, extra = {}) => {
    const model = await tinyModel(true);
    const trainer = new Trainer({
      model,
      args: args(fp16, extra),
      trainDataset: placeholderDataset(30),
      dataCollator: goldenCollator,
      store: new MemoryCheckpointStore(),
      gradScaler: scaler,
    });
    await trainer.train();
    const logs = trainer.state.logHistory.filter((e) => 'loss' in e);
    const steps = await trainer.optimizer!.scheduledSteps();
    const scale = trainer.amp ? (await trainer.amp.scaler.stateDict()).scale : undefined;
    trainer.dispose();
    model.dispose();
    return { logs, steps, scale };
  };

  itNeeds(
    NO_F16,
    'overflowing steps are skipped: schedule not advanced, scale halved each time, no numerics error',
    async () => {
      const { logs, steps, scale } = await train(true, { initScale: 2 ** 24 });
      expect(logs).toHaveLength(10);
      const skipped = logs.map((e) => !Number.isFinite(e.grad_norm as number));
      const k = skipped.filter(Boolean).length;
      console.log(`fp16 with init scale 2^24: ${k} of 10 steps skipped; final scale ${scale}`);
      expect(k).toBeGreaterThan(0); // 2^24 overflows float16 gradients
      expect(k).toBeLessThan(10);
      expect(steps.taken).toBe(10 - k);
      expect(scale).toBe(2 ** (24 - k));
      // The lr each step logs is the schedule's after the steps taken before it (HF: the scheduler steps only after a
      // step that ran), and every loss is finite.
      const sched = new LrScheduler('linear', 1e-3, 0, 10);
      let taken = 0;
      logs.forEach((e, i) => {
        expect(e.learning_rate, `step ${i + 1}`).toBe(sched.lrAt(taken));
        expect(Number.isFinite(e.loss as number)).toBe(true);
        if (!skipped[i]) taken++;
      });
    },
  );

  itNeeds(
    NO_F16,
    "a short run's loss curve stays close to the f32 run's (loose bound; the bench note has the numbers)",
    async () => {
      const f32 = await train(false);
      const f16 = await train(true);
      const a = f32.logs.map((e) => e.loss as number);
      const b = f16.logs.map((e) => e.loss as number);
      const diff = Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
      console.log(`loss curves, 10 steps: f32 ${a.join(' ')}; fp16 ${b.join(' ')}; max |Δ| ${diff.toFixed(4)}`);
      expect(b[9]).toBeLessThan(b[0]!); // it trains
      expect(diff).toBeLessThan(0.05);
      expect(f16.steps.taken).toBe(10); // at the default scale, nothing overflows here
    },
  );

  itNeeds(
    NO_F16,
    'a diverging fp16 run still stops with a NonFiniteError (weights or the collapsed scale)',
    async () => {
      await expect(train(true, undefined, { learningRate: 1e35, maxSteps: 30 })).rejects.toThrow(NonFiniteError);
    },
  );

  it("checkpoint JSON with NaN / Infinity (a skipped step's grad_norm, as Python writes it) reads back", () => {
    expect(parsePythonJson('{"a": NaN, "b": [Infinity, -Infinity, 1.5], "s": "NaN \\" Infinity"}')).toEqual({
      a: NaN,
      b: [Infinity, -Infinity, 1.5],
      s: 'NaN " Infinity',
    });
  });
});
