// float16 storage and the f16 matmul (operands stored as halves, widened to f32 in the kernel, f32 accumulation):
// cast against host rounding, products against a float64 matmul of the very half values the GPU reads, for every
// fast kernel, on awkward shapes, with bias / GELU epilogues, split-K and gradients; outputs poisoned first.
import { afterEach, describe, expect, it } from 'vitest';
import { itNeeds, lacksFeature } from './helpers/needs.js';
import { poison } from './helpers/check.js';
import { maxErr, randArray, refMatmul } from './helpers/matmul_ref.js';
import * as wt from '../src/index.js';
import { matmulKernelChoices } from '../src/ops/matmul_select.js';
import { configure } from '../src/runtime/settings.js';
import { SPLIT_K_CHOICES } from '../src/ops/matmul_splitk.js';
import { geluScalar } from '../src/ops/reference/elementwise.js';

// Where the adapter lacks shader-f16 the f16 products are reported as skipped (with this reason) and the last
// test checks the error instead; lavapipe has the feature, so CI runs them.
const NO_F16 = await lacksFeature('shader-f16');
afterEach(() => configure({ matmulKernel: undefined }));

/** The spacing of halves around v (normal range: 2^(e−10); subnormal: 2^−24). */
function halfUlp(v: number): number {
  const a = Math.abs(v);
  return a < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(a)) - 10);
}

function isHalf(v: number): boolean {
  const u = halfUlp(v);
  return Number.isInteger(v / u) && Math.abs(v) <= 65504;
}

describe('float16 storage', () => {
  it('cast f32 → f16 rounds to a neighbouring half; f16 → f32 is exact; odd sizes; gradient passes through as f32', async () => {
    for (const n of [1, 2, 7, 1001]) {
      const scales = [1, 1e-6, 300, 6e4];
      const xv = Float32Array.from(randArray(n, n), (v, i) => v * scales[i % scales.length]);
      if (n > 4) xv.set([0, -0, 2 ** -24, 65504], 0);
      const x = wt.tensor(xv).requireGrad();
      poison([Math.ceil(n / 2)], [n]);
      const h = wt.cast(x, 'f16');
      expect(h.dtype).toBe('f16');
      const hv = await h.data();
      for (let i = 0; i < n; i++) {
        expect(isHalf(hv[i]), `cast n=${n} [${i}] ${xv[i]} → ${hv[i]} is not a half`).toBe(true);
        expect(Math.abs(hv[i] - xv[i]), `cast n=${n} [${i}] ${xv[i]} → ${hv[i]}`).toBeLessThanOrEqual(halfUlp(xv[i]));
      }
      const back = wt.cast(h, 'f32');
      expect(back.dtype).toBe('f32');
      expect(Array.from(await back.data())).toEqual(Array.from(hv));
      const gv = randArray(n, n + 1);
      wt.backward(back, wt.tensor(gv));
      expect(x.grad!.dtype).toBe('f32');
      expect(Array.from(await x.grad!.data())).toEqual(Array.from(gv));
      for (const t of [x, h, back, x.grad]) t?.dispose();
    }
  });

  it('cast f32 → f16 overflows to ±Inf as torch does (|x| ≥ 65520), keeps NaN and ±Inf, rounds 65519 to 65504', async () => {
    const xv = Float32Array.of(65504, 65519, 65520, -65520, 1e5, -3e38, Infinity, -Infinity, NaN, -NaN, 1e-8, -0);
    const want = [65504, 65504, Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity, NaN, NaN, 0, -0];
    const x = wt.tensor(xv);
    poison([Math.ceil(xv.length / 2)], [xv.length]);
    const h = wt.cast(x, 'f16');
    expect(Array.from(await h.data())).toEqual(want);
    x.dispose();
    h.dispose();
  });

  it('ops other than cast and matmul refuse f16 tensors by name', () => {
    const h = wt.cast(wt.ones([4]), 'f16');
    expect(() => wt.add(h, h)).toThrow(/float32.*f16/);
    expect(() => wt.cast(wt.zeros([2], 'i32'), 'f16')).toThrow(/cast: converts between 'f32' and 'f16', got i32/);
    expect(() => wt.tensor([1, 2], [2], 'f16')).toThrow(/cast\(tensor\(data\), 'f16'\)/);
    expect(() => wt.matmul(wt.zeros([2, 2], 'i32'), wt.ones([2, 2]))).toThrow(
      /matmul: a must be float32 or float16, got i32/,
    );
    expect(() => wt.assign(wt.zeros([4]), h)).toThrow(/assign: dtypes differ \(f32 ← f16\)/);
  });
});

describe('f16 matmul vs float64 (every fast kernel)', () => {
  const SHAPES: [number, number, number][] = [
    [7, 33, 129],
    [1, 40, 3],
    [129, 65, 36],
    [33, 36, 20],
  ];

  // Every kernel reads both operands as halves at [33,36,20] (vec4 loads, tails in M and N); the default kernel also
  // at [7,33,129] (scalar loads), with one f16 operand at a time and the GELU epilogue. (Each f16 pipeline costs
  // lavapipe a compile: every kernel on every shape would take minutes.)
  itNeeds(
    NO_F16,
    'A, B or both f16; NN / NT / TN; bias and GELU epilogues; awkward shapes',
    async () => {
      const choices = ['default', ...matmulKernelChoices().filter((c) => c !== 'strided')];
      let seed = 1;
      for (const [m, k, n] of [
        [7, 33, 129],
        [33, 36, 20],
      ]) {
        for (const [transA, transB] of [
          [false, false],
          [false, true],
          [true, false],
        ] as const) {
          const a32 = wt.tensor(randArray(m * k, seed++), transA ? [k, m] : [m, k]);
          const b32 = wt.tensor(randArray(k * n, seed++), transB ? [n, k] : [k, n]);
          const biasV = randArray(n, seed++);
          const bias = wt.tensor(biasV);
          const a16 = wt.cast(a32, 'f16');
          const b16 = wt.cast(b32, 'f16');
          const [ah, bh, af, bf] = [await a16.data(), await b16.data(), await a32.data(), await b32.data()];
          for (const choice of m === 7 ? ['default'] : choices) {
            configure({ matmulKernel: choice === 'default' ? undefined : choice });
            const operands =
              choice === 'default'
                ? ([
                    ['A', a16, b32, ah, bf],
                    ['B', a32, b16, af, bh],
                    ['AB', a16, b16, ah, bh],
                  ] as const)
                : ([['AB', a16, b16, ah, bh]] as const);
            for (const [which, a, b, av, bv] of operands) {
              const want = refMatmul(av, bv, 1, m, n, k, transA, transB, true, biasV);
              const what = `${choice} f16 ${which} ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} M=${m} K=${k} N=${n}`;
              poison([m, n]);
              const out = wt.matmul(a, b, { transA, transB, bias });
              expect(out.dtype, what).toBe('f32');
              expect(maxErr(await out.data(), want), what).toBeLessThan(2e-5 * Math.sqrt(k) + 1e-5);
              out.dispose();
              if (choice === 'default' && !transA) {
                const g = wt.matmul(a, b, { transB, bias, activation: 'gelu' });
                expect(maxErr(await g.data(), want.map(geluScalar)), `${what} gelu`).toBeLessThan(
                  2e-5 * Math.sqrt(k) + 1e-5,
                );
                g.dispose();
              }
            }
          }
          for (const t of [a32, b32, a16, b16, bias]) t.dispose();
        }
      }
    },
    600_000,
  );

  itNeeds(NO_F16, 'split-K weight-gradient product with f16 operands', async () => {
    const [m, k, n] = [20, 300, 12]; // dYᵀ·X: A read transposed, long K
    const a16 = wt.cast(wt.tensor(randArray(k * m, 3), [k, m]), 'f16');
    const b16 = wt.cast(wt.tensor(randArray(k * n, 4), [k, n]), 'f16');
    const want = refMatmul(await a16.data(), await b16.data(), 1, m, n, k, true, false, true);
    for (const choice of SPLIT_K_CHOICES.slice(0, 1)) {
      configure({ matmulKernel: choice });
      const out = wt.matmul(a16, b16, { transA: true });
      expect(maxErr(await out.data(), want), choice).toBeLessThan(1e-4);
      out.dispose();
    }
    a16.dispose();
    b16.dispose();
  });

  itNeeds(NO_F16, 'gradients of x·cast(W)ᵀ reach the float32 master weight and x in f32', async () => {
    const [m, k, n] = [9, 20, 13];
    const x = wt.tensor(randArray(m * k, 5), [m, k]).requireGrad();
    const w = wt.tensor(randArray(n * k, 6), [n, k]).requireGrad();
    const w16 = wt.cast(w, 'f16');
    const y = wt.matmul(x, w16, { transB: true });
    const gv = randArray(m * n, 7);
    wt.backward(y, wt.tensor(gv, [m, n]));
    const [xv, wh] = [await x.data(), await w16.data()];
    // dx = g·W16 (halves as read), dW = gᵀ·x (no rounding on this side: g and x are f32).
    expect(x.grad!.dtype).toBe('f32');
    expect(w.grad!.dtype).toBe('f32');
    expect(maxErr(await x.grad!.data(), refMatmul(gv, wh, 1, m, k, n, false, false, true))).toBeLessThan(1e-5);
    expect(maxErr(await w.grad!.data(), refMatmul(gv, xv, 1, n, k, m, true, false, true))).toBeLessThan(1e-5);
    for (const t of [x, w, w16, y, x.grad, w.grad]) t?.dispose();
  });

  // Where the adapter has the feature, the check runs on a runtime told it lacks it (features are read per call).
  it('without shader-f16 the product names the missing feature', () => {
    const h = wt.cast(wt.ones([2, 2]), 'f16');
    const features = wt.runtime().features as Set<string>;
    const had = features.delete('shader-f16');
    try {
      expect(() => wt.matmul(h, wt.ones([2, 2]))).toThrow(/shader-f16/);
    } finally {
      if (had) features.add('shader-f16');
      h.dispose();
    }
  });
});
