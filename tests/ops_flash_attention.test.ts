// Tier-1 tests of the fused (flash) attention kernels: forward vs a float64 reference composed from the reference
// scores, masked softmax, dropout mask and context products (awkward T and head sizes, all-masked rows, dropout),
// outputs poisoned with NaN; every backward against finite differences; the fused path against the unfused one with
// the same dropout stream; bad arguments.
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import * as A from '../src/ops/reference/attention.js';
import { dropout as refDropout, dropoutMask } from '../src/ops/reference/dropout.js';
import { softmax as refSoftmax } from '../src/ops/reference/softmax.js';
import { concat as refConcat } from '../src/ops/reference/shape.js';
import type { NdArray } from '../src/ops/reference/nd.js';
import { checkForward, compare, gradCheck, normal, read, ref, reseed, uniform } from './helpers/check.js';

beforeAll(async () => {
  await gpu();
  reseed(1717);
});

interface Case {
  b: number;
  t: number;
  h: number;
  d: number;
  masked?: boolean;
  p?: number;
}

/** A [B, T] 0/1 key mask: row 0 all kept, the last row (when B > 1) all masked, the rest random. */
function keyMask(b: number, t: number): Int32Array {
  const m = new Int32Array(b * t);
  const r = uniform(b * t, 0, 1);
  for (let i = 0; i < b * t; i++) m[i] = i < t || r[i] < 0.6 ? 1 : 0;
  if (b > 1) m.fill(0, (b - 1) * t);
  return m;
}

const SEED = 0x1234_5678_9a; // > 32 bits: both seed words matter
const OFFSET = 4242;

/** The float64 reference: dropout(softmax(scale·q·kᵀ, mask)) · v per head, with the kernel's dropout mask. */
function reference(q: NdArray, k: NdArray, v: NdArray, c: Case, scale: number, mask?: Int32Array): NdArray {
  const scores = A.attentionScores(q, k, c.h, scale);
  let probs = refSoftmax(scores, { mask });
  if (c.p) probs = refDropout(probs, c.p, dropoutMask(probs.data.length, c.p, SEED, OFFSET));
  return A.attentionContext(probs, v, c.h);
}

function options(c: Case, scale: number, mask?: Int32Array): wt.AttentionOptions {
  return {
    scale,
    mask: mask ? wt.tensor(mask, [c.b, c.t], 'i32') : undefined,
    dropout: c.p ? { p: c.p, rng: new wt.DropoutRng(SEED, OFFSET) } : undefined,
  };
}

const label = (c: Case): string =>
  `(B${c.b},T${c.t},H${c.h},D${c.d})${c.masked ? ' masked' : ''}${c.p ? ` p=${c.p}` : ''}`;

// Software adapters run several rows per invocation, GPUs one, and GPUs stage K/V (or Q/dO) tiles in workgroup memory
// (flash_attention_tiled.wgsl: forced here; lavapipe's default is the per-thread kernels): every geometry is checked.
type Geometry = wt.FlashGeometry & { kernel?: wt.FlashKernel };
const GEOMETRIES: (Geometry | undefined)[] = [
  undefined,
  { wg: 64, rows: 1 },
  { wg: 64, rows: 1, kernel: 'tiled' }, // the GPU default
  { wg: 16, rows: 2, kernel: 'tiled' }, // fewer threads than a tile's rows, several rows each
];
const geometryLabel = (g?: Geometry): string => (g ? ` ${g.kernel ?? 'lanes'} wg${g.wg}×r${g.rows}` : '');
/** Runs fn with the kernels' geometry forced to g (undefined: this adapter's). */
const withGeometry = <T>(g: Geometry | undefined, fn: () => T): T =>
  wt.withSettings(g ? { flashWorkgroup: g.wg, flashRows: g.rows, flashKernel: g.kernel ?? 'lanes' } : {}, fn);

describe('flashAttention forward vs float64 reference', () => {
  const cases: Case[] = [
    { b: 1, t: 1, h: 1, d: 4 },
    { b: 2, t: 7, h: 3, d: 8, masked: true },
    { b: 3, t: 33, h: 2, d: 12, masked: true, p: 0.25 },
    { b: 1, t: 129, h: 2, d: 16, p: 0.1 },
    { b: 2, t: 65, h: 1, d: 64, masked: true },
    { b: 2, t: 20, h: 2, d: 128, masked: true, p: 0.5 },
  ];
  for (const c of cases) {
    it(label(c), async () => {
      const shape = [c.b, c.t, c.h * c.d];
      const [q, k, v] = [normal(c.b * c.t * c.h * c.d), normal(c.b * c.t * c.h * c.d), normal(c.b * c.t * c.h * c.d)];
      const scale = 1 / Math.sqrt(c.d);
      const mask = c.masked ? keyMask(c.b, c.t) : undefined;
      const want = reference(ref(shape, q), ref(shape, k), ref(shape, v), c, Math.fround(scale), mask);
      for (const g of c.d <= 64 ? GEOMETRIES : [undefined, GEOMETRIES[2]]) {
        await withGeometry(g, () =>
          checkForward(
            `flashAttention ${label(c)}${geometryLabel(g)}`,
            shape,
            () =>
              wt.flashAttention(
                wt.tensor(q, shape),
                wt.tensor(k, shape),
                wt.tensor(v, shape),
                c.h,
                options(c, scale, mask),
              ),
            want,
            {
              rtol: 5e-5, // float32 sums of up to 128-term dot products and T-term averages
              scale: 1e-2, // outputs are averages of N(0,1) values: relative to max(|ref|, 0.01)
            },
          ),
        );
      }
    });
  }

  it('±1e4 scores: no overflow, the max key wins', async () => {
    const c: Case = { b: 1, t: 9, h: 1, d: 4 };
    const shape = [1, 9, 4];
    const q = new Float32Array(36).fill(100);
    const k = uniform(36, -1, 1);
    k.fill(100, 20, 24); // key 5: s = 4·10⁴ / 2, far above the rest
    const v = normal(36);
    const want = reference(ref(shape, q), ref(shape, k), ref(shape, v), c, 0.5);
    await checkForward(
      'flashAttention huge scores',
      shape,
      () => wt.flashAttention(wt.tensor(q, shape), wt.tensor(k, shape), wt.tensor(v, shape), 1, { scale: 0.5 }),
      want,
      { rtol: 1e-6 },
    );
  });
});

describe('flashAttention backward (finite differences)', () => {
  const cases: Case[] = [
    { b: 1, t: 9, h: 1, d: 8 },
    { b: 2, t: 5, h: 2, d: 4, masked: true },
    { b: 3, t: 6, h: 2, d: 4, masked: true, p: 0.3 },
  ];
  for (const c of cases) {
    it(label(c), async () => {
      const shape = [c.b, c.t, c.h * c.d];
      const n = c.b * c.t * c.h * c.d;
      const scale = 0.7;
      const mask = c.masked ? keyMask(c.b, c.t) : undefined;
      const inputs = [
        { shape, data: normal(n) },
        { shape, data: normal(n) },
        { shape, data: normal(n) },
      ];
      for (const g of GEOMETRIES) {
        const stats = await withGeometry(g, () =>
          gradCheck({
            name: `flashAttention ${label(c)}${geometryLabel(g)}`,
            inputs,
            gpu: ([q, k, v]) => wt.flashAttention(q, k, v, c.h, options(c, scale, mask)),
            reference: ([q, k, v]) => reference(q, k, v, c, Math.fround(scale), mask),
            rtol: 2e-4,
          }),
        );
        expect(stats.length).toBe(3);
      }
    });
  }
});

/**
 * selfAttention forward and backward on fixed random q, k, v, upstream gradient and key mask for case c, run after
 * configure() (kernel choice, chunk size): the output, the q/k/v gradients, the dropout stream's offset after, and
 * the kernels dispatched.
 */
function attentionRunner(c: Case, scale: number, rngSeed: number, rngOffset: number) {
  const shape = [c.b, c.t, c.h * c.d];
  const n = c.b * c.t * c.h * c.d;
  const data = [normal(n), normal(n), normal(n)];
  const g = normal(n);
  const mask = keyMask(c.b, c.t);
  return (settings: Partial<wt.Settings>) =>
    wt.withSettings(settings, () =>
      wt.tidyAsync(async () => {
        const kernels: string[] = [];
        wt.runtime().profiler = { onDispatch: (name) => void kernels.push(name) };
        try {
          const xs = data.map((x) => wt.tensor(x, shape).requireGrad());
          const rng = new wt.DropoutRng(rngSeed, rngOffset);
          const y = wt.selfAttention(xs[0], xs[1], xs[2], c.h, {
            scale,
            mask: wt.tensor(mask, [c.b, c.t], 'i32'),
            dropout: { p: c.p!, rng },
          });
          wt.backward(y, wt.tensor(g, shape));
          return {
            y: await read(y),
            grads: await Promise.all(xs.map((x) => read(x.grad!))),
            offset: rng.offset,
            kernels,
          };
        } finally {
          wt.runtime().profiler = undefined;
        }
      }),
    );
}

describe('fused and unfused self-attention agree, dropout included', () => {
  it('same output and gradients from the same dropout stream', async () => {
    const c: Case = { b: 2, t: 24, h: 3, d: 8, masked: true, p: 0.2 };
    const run = attentionRunner(c, 0.35, 99, 7);
    for (const kernel of ['fused', 'unfused'] as const)
      wt.withSettings({ attentionKernel: kernel }, () => expect(wt.attentionKernelFor(c.d)).toBe(kernel));
    const fused = await run({ attentionKernel: 'fused' });
    const unfused = await run({ attentionKernel: 'unfused' });
    expect(fused.offset).toBe(unfused.offset); // the same counters drawn
    compare('fused vs unfused output', fused.y, unfused.y, { rtol: 1e-5, scale: 1e-2 });
    ['dq', 'dk', 'dv'].forEach((name, i) =>
      compare(`fused vs unfused ${name}`, fused.grads[i], unfused.grads[i], { rtol: 1e-4, scale: 1e-2 }),
    );
  });
});

describe('unfused self-attention over chunks of the batch (tensors past one binding)', () => {
  it('chunked equals one call: output, gradients and the dropout stream, with a mask; chunks of 2 of a batch of 5', async () => {
    const c: Case = { b: 5, t: 12, h: 2, d: 4, masked: true, p: 0.25 };
    const seqBytes = c.h * c.t * c.t * 4;
    const run = attentionRunner(c, 0.5, 5, 11);
    const whole = await run({ attentionKernel: 'unfused' });
    const parts = await run({ attentionKernel: 'unfused', attentionChunkBytes: 2 * seqBytes + 4 }); // 2 sequences per chunk: chunks of 2, 2, 1
    const softmaxes = (r: { kernels: string[] }): number => r.kernels.filter((nm) => nm.startsWith('softmax')).length;
    expect(softmaxes(whole)).toBe(2); // forward and backward, one call
    expect(softmaxes(parts)).toBe(6); // three chunks
    expect(parts.offset).toBe(whole.offset); // the same counters drawn
    compare('chunked vs whole output', parts.y, whole.y, { rtol: 1e-6, scale: 1e-3 });
    ['dq', 'dk', 'dv'].forEach((name, i) =>
      compare(`chunked vs whole ${name}`, parts.grads[i], whole.grads[i], { rtol: 1e-6, scale: 1e-3 }),
    );
  });

  it("'auto' chunks on software adapters while one sequence fits and all fit 4 bindings, else takes the fused kernels", () => {
    wt.withSettings({ attentionChunkBytes: 1000 }, () => {
      expect(wt.attentionKernelFor(64, 800, 100)).toBe('unfused'); // fits whole
      expect(wt.attentionKernelFor(64, 4000, 1000)).toBe(wt.runtime().info.isSoftware ? 'unfused' : 'fused'); // chunks
      expect(wt.attentionKernelFor(64, 4000, 1001)).toBe('fused'); // one sequence is over
      expect(wt.attentionKernelFor(64, 4004, 100)).toBe('fused'); // over 4 bindings' worth in all
    });
    // The chunk count is a setting too: GPUs never chunk (0); with it raised, more fits.
    wt.withSettings({ attentionChunkBytes: 1000, attentionChunkedMax: 5 }, () =>
      expect(wt.attentionKernelFor(64, 4004, 100)).toBe('unfused'),
    );
  });

  it('concat along an axis, and its gradient', async () => {
    const a = normal(2 * 3 * 4);
    const b = normal(2 * 1 * 4);
    const y = await wt.tidyAsync(async () => read(wt.concat([wt.tensor(a, [2, 3, 4]), wt.tensor(b, [2, 1, 4])], 1)));
    const want: number[] = [];
    for (let i = 0; i < 2; i++) want.push(...a.slice(i * 12, i * 12 + 12), ...b.slice(i * 4, i * 4 + 4));
    compare('concat axis 1', y, Float64Array.from(want), { rtol: 0, scale: 1e-7 });
    const stats = await gradCheck({
      name: 'concat axis 1',
      inputs: [
        { shape: [2, 3, 4], data: Float32Array.from(a) },
        { shape: [2, 1, 4], data: Float32Array.from(b) },
      ],
      gpu: (xs) => wt.concat(xs, 1),
      reference: (xs) => refConcat(xs, 1),
    });
    expect(stats.length).toBe(2);
    expect(() => wt.concat([wt.zeros([2, 3]), wt.zeros([3, 3])], 1)).toThrow(/does not match/);
  });
});

describe('flashAttention arguments', () => {
  it('rejects unsupported head sizes, shape and mask mismatches, bad p', () => {
    const x = wt.zeros([1, 4, 12]);
    expect(() => wt.flashAttention(x, x, x, 2, { scale: 1 })).toThrow(
      /head size 6 not supported \(needs a multiple of 4/,
    );
    expect(() => wt.flashAttention(x, wt.zeros([1, 4, 8]), x, 3, { scale: 1 })).toThrow(
      /k \[1,4,8\] must match q \[1,4,12\]/,
    );
    expect(() => wt.flashAttention(x, x, x, 3, { scale: 1, mask: wt.zeros([1, 5], 'i32') })).toThrow(
      /mask must be int32 \[1, 4\], got i32 \[1,5\]/,
    );
    expect(() => wt.flashAttention(x, x, x, 3, { scale: 1, dropout: { p: 1, rng: new wt.DropoutRng(1) } })).toThrow(
      /dropout p must be in \[0, 1\), got 1/,
    );
    expect(() => wt.withSettings({ attentionKernel: 'flash' as never }, () => 0)).toThrow(
      /attentionKernel must be 'auto' or 'fused' or 'unfused', got "flash"/,
    );
    // 'auto': unfused while the [B, H, T, T] probabilities fit one binding; beyond, chunks of the batch on software
    // adapters while one sequence's fit, else fused.
    const limit = wt.runtime().limits.maxStorageBufferBindingSize;
    expect(wt.settings().attentionKernel).toBe('auto');
    expect(wt.attentionKernelFor(64, 1024)).toBe('unfused');
    expect(wt.attentionKernelFor(64, limit + 4, limit + 4)).toBe('fused'); // one sequence's alone is over
    expect(wt.attentionKernelFor(64, limit + 4, 1024)).toBe(wt.runtime().info.isSoftware ? 'unfused' : 'fused'); // chunks on software
    // A head size the fused kernels cannot hold falls back to the unfused path whatever the preference.
    wt.withSettings({ attentionKernel: 'fused' }, () => {
      expect(wt.attentionKernelFor(6)).toBe('unfused');
      expect(wt.attentionKernelFor(256)).toBe('unfused');
    });
  });
});
