// Tier-1 op tests: softmax / logSoftmax (mask, scale, ±1e4 logits, all-masked rows) and layerNorm vs float64
// references, with NaN poisoning and finite-difference checks of every backward.
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import * as R from '../src/ops/reference/softmax.js';
import * as L from '../src/ops/reference/layernorm.js';
import { checkForward, gradCheck, normal, read, ref, reseed, sizeOf, uniform } from './helpers/check.js';

beforeAll(async () => {
  await gpu();
  reseed(404);
});

/** A [B, cols] 0/1 mask: random keeps, row `allMasked` (if any) all zero, row 0 all kept. */
function makeMask(b: number, cols: number, allMasked = -1): Int32Array {
  const m = new Int32Array(b * cols);
  const r = uniform(b * cols, 0, 1);
  for (let i = 0; i < b * cols; i++) m[i] = r[i] < 0.7 ? 1 : 0;
  for (let c = 0; c < cols; c++) m[c] = 1;
  if (allMasked >= 0) for (let c = 0; c < cols; c++) m[allMasked * cols + c] = 0;
  return m;
}

interface Case {
  shape: number[];
  scale?: number;
  mask?: Int32Array;
  data?: Float32Array;
  label: string;
}

function cases(): Case[] {
  const edge = new Float32Array(4 * 33);
  for (let c = 0; c < 33; c++) {
    edge[c] = c % 3 === 0 ? 1e4 : c % 3 === 1 ? -1e4 : 0; // one-hot-ish row
    edge[33 + c] = 1e4; // uniform at +1e4
    edge[66 + c] = -1e4; // uniform at −1e4
    edge[99 + c] = c === 7 ? -1e4 : 1e4 - c; // near-ties at 1e4
  }
  return [
    { shape: [1, 1], label: 'single' },
    { shape: [7, 33], label: 'plain' },
    { shape: [129, 7], scale: 0.125, label: 'scale' },
    { shape: [3, 1000], label: 'wide' },
    { shape: [4, 33], data: edge, label: '±1e4 logits' },
    { shape: [4, 33], data: edge, scale: 0.5, mask: makeMask(4, 33), label: '±1e4 logits, mask' },
    { shape: [2, 3, 7, 7], scale: 1 / Math.sqrt(8), mask: makeMask(2, 7), label: 'attention mask + scale' },
    { shape: [3, 2, 5, 129], mask: makeMask(3, 129, 1), label: 'all-masked batch row' },
    { shape: [2, 33], mask: new Int32Array(66), label: 'everything masked' },
    // Rows of vec4s (cols % 4 == 0) take the subgroup kernels: held in registers up to 16 vec4s per lane, else streamed.
    { shape: [5, 3, 8, 36], scale: 0.3, mask: makeMask(5, 36, 2), label: 'vec4 rows, lanes partly padded, mask' },
    { shape: [2, 2, 4, 128], mask: makeMask(2, 128, 1), label: 'vec4 rows of 128, all-masked batch row' },
    { shape: [3, 5, 36], mask: makeMask(3, 36, 1), label: 'vec4 rows, row groups straddling mask rows, row tail' },
    { shape: [3, 512], label: 'vec4 rows at the register limit' },
    { shape: [2, 516], scale: 2, label: 'vec4 rows past the register limit (streamed)' },
  ];
}

describe('softmax / logSoftmax forward', () => {
  for (const log of [false, true]) {
    const name = log ? 'logSoftmax' : 'softmax';
    it(`${name}: mask, scale, ±1e4 logits, all-masked rows (uniform, no NaN)`, async () => {
      for (const c of cases()) {
        const x = c.data ?? uniform(sizeOf(c.shape), -5, 5);
        const want = R.softmax(ref(c.shape, x), { mask: c.mask, scale: Math.fround(c.scale ?? 1), log });
        await checkForward(
          `${name} [${c.shape}] ${c.label}`,
          c.shape,
          () => {
            const opts = {
              scale: c.scale,
              mask: c.mask ? wt.tensor(c.mask, [c.shape[0], c.shape[c.shape.length - 1]]) : undefined,
            };
            return log ? wt.logSoftmax(wt.tensor(x, c.shape), opts) : wt.softmax(wt.tensor(x, c.shape), opts);
          },
          want,
          { rtol: 1e-5, scale: log ? 1 : 1e-30 },
        );
      }
    });
  }
  it('an all-masked row is exactly uniform (Hugging Face masked_fill with float32 min)', async () => {
    const x = uniform(2 * 7, -3, 3);
    const mask = new Int32Array([1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    const y = await read(wt.softmax(wt.tensor(x, [2, 7]), { mask: wt.tensor(mask, [2, 7]) }));
    for (let c = 0; c < 7; c++) expect(y[7 + c]).toBeCloseTo(1 / 7, 7);
    expect(y[2]).toBe(0);
    expect(y[4]).toBe(0);
  });
});

/** N(0,1) upstream weights for x: [B, ..., cols], zero at masked keys. */
function maskedWeights(shape: number[], mask: Int32Array): Float32Array {
  const cols = shape[shape.length - 1];
  const rowsPerMask = sizeOf(shape) / cols / shape[0];
  return normal(sizeOf(shape)).map((w, i) =>
    mask[Math.floor(Math.floor(i / cols) / rowsPerMask) * cols + (i % cols)] ? w : 0,
  );
}

describe('softmax / logSoftmax backward (finite differences)', () => {
  for (const log of [false, true]) {
    const name = log ? 'logSoftmax' : 'softmax';
    it(`${name} plain, scale, mask, all-masked row`, async () => {
      const variants: { shape: number[]; scale?: number; mask?: Int32Array; label: string }[] = [
        { shape: [3, 7], label: 'plain' },
        { shape: [4, 5], scale: 0.35, label: 'scale' },
        { shape: [2, 3, 6], scale: 0.5, mask: makeMask(2, 6), label: 'mask + scale' },
        { shape: [3, 2, 5], mask: makeMask(3, 5, 2), label: 'all-masked row' },
        // vec4 rows (subgroup kernels): held in registers, row groups straddling mask rows; then streamed.
        { shape: [3, 5, 8], scale: 0.5, mask: makeMask(3, 8, 2), label: 'vec4 held rows, mask, all-masked row' },
        { shape: [2, 516], scale: 0.2, label: 'vec4 streamed rows' },
      ];
      for (const v of variants) {
        await gradCheck({
          name: `${name} [${v.shape}] ${v.label}`,
          inputs: [{ shape: v.shape, data: uniform(sizeOf(v.shape), -2, 2) }],
          gpu: ([x]) => {
            const opts = {
              scale: v.scale,
              mask: v.mask ? wt.tensor(v.mask, [v.shape[0], v.shape[v.shape.length - 1]]) : undefined,
            };
            return log ? wt.logSoftmax(x, opts) : wt.softmax(x, opts);
          },
          reference: ([x]) => R.softmax(x, { mask: v.mask, scale: Math.fround(v.scale ?? 1), log }),
          // Masked log-probabilities are float32-min constants (≈ −3.4e38) in any precision, so finite differences
          // cannot see their dependence on the other scores: give them zero upstream weight (a loss never uses them).
          weights: log && v.mask ? maskedWeights(v.shape, v.mask) : undefined,
        });
      }
    });
  }
});

describe('masked keys get no gradient (masked_fill blocks it), whatever the upstream gradient', () => {
  for (const log of [false, true]) {
    it(log ? 'logSoftmax' : 'softmax', async () => {
      const shape = [3, 2, 9];
      const mask = makeMask(3, 9, 2);
      await wt.tidyAsync(async () => {
        const x = wt.tensor(uniform(sizeOf(shape), -2, 2), shape).requireGrad();
        const opts = { mask: wt.tensor(mask, [3, 9]), scale: 0.7 };
        const y = log ? wt.logSoftmax(x, opts) : wt.softmax(x, opts);
        wt.backward(y, wt.tensor(normal(sizeOf(shape)), shape));
        const g = await read(x.grad!);
        for (let i = 0; i < g.length; i++) {
          const m = mask[Math.floor(i / 18) * 9 + (i % 9)];
          if (!m) expect(g[i], `grad at masked element ${i}`).toBe(0);
          else expect(Number.isFinite(g[i])).toBe(true);
        }
      });
    });
  }
});

describe('layerNorm', () => {
  // cols % 4 == 0 takes the subgroup kernels: rows held in registers by the generated kernel (9×36: lanes partly
  // padded; 5×768 and 6×1032: one short workgroup of rows; 1032 also lanes past the row), on software adapters with
  // the rest of the row streamed past 24 vec4s per lane (3×3076 at 8 or 16 lanes, 6×1032 at 8), and past every cap
  // (2×12292) on any adapter.
  it('forward: eps 1e-12 and 1e-5, cols 1 (variance 0), 7, 33, 768; vec4 rows held by one subgroup, with and without a streamed tail', async () => {
    for (const eps of [1e-12, 1e-5]) {
      for (const [rows, cols] of [
        [3, 1],
        [7, 7],
        [33, 33],
        [5, 768],
        [1, 129],
        [9, 36],
        [6, 1032],
        [3, 3076],
        [19, 768],
        [2, 12292],
      ]) {
        const shape = rows === 5 ? [1, rows, cols] : [rows, cols];
        const x = normal(rows * cols, 2).map((v) => v + 3);
        const gamma = normal(cols, 0.2).map((v) => v + 1);
        const beta = normal(cols, 0.1);
        const want = L.layerNorm(ref(shape, x), ref([cols], gamma), ref([cols], beta), Math.fround(eps));
        await checkForward(
          `layerNorm [${shape}] eps=${eps}`,
          shape,
          () => wt.layerNorm(wt.tensor(x, shape), wt.tensor(gamma, [cols]), wt.tensor(beta, [cols]), eps),
          want,
          { rtol: 1e-5, scale: 1 },
        );
      }
    }
  });
  it('backward for x, gamma, beta (finite differences)', async () => {
    for (const eps of [1e-12, 1e-5]) {
      // [11, 12]: held rows over two workgroups of 8 (forward), the second one short.
      for (const [rows, cols] of [
        [3, 7],
        [2, 33],
        [4, 1],
        [5, 12],
        [2, 1032],
        [11, 12],
      ]) {
        await gradCheck({
          name: `layerNorm [${rows},${cols}] eps=${eps}`,
          inputs: [
            { shape: [rows, cols], data: normal(rows * cols, 2).map((v) => v + 1) },
            { shape: [cols], data: normal(cols, 0.3).map((v) => v + 1) },
            { shape: [cols], data: normal(cols, 0.1) },
          ],
          gpu: ([x, g, b]) => wt.layerNorm(x, g, b, eps),
          reference: ([x, g, b]) => L.layerNorm(x, g, b, Math.fround(eps)),
        });
      }
    }
  });
});
