// The matmul fast paths (generated register-tiled kernels: subgroup and plain sharing, vec4 and scalar loads)
// against a float64 CPU matmul, for every kernel choice the device offers, on shapes that are multiples of no
// tile size; outputs poisoned with NaN first. Also attention products (heads read in place) and the epilogues.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import { expect2DMatmulEveryChoice } from './helpers/matmul_check.js';
import { nonEmpty } from './helpers/needs.js';
import { maxErr, randArray, refMatmul } from './helpers/matmul_ref.js';
import * as wt from '../src/index.js';
import { matmulKernelChoices, untunedMatmulChoice } from '../src/ops/matmul_select.js';
import { stridedMatmul } from '../src/ops/matmul_strided.js';
import { configure } from '../src/runtime/settings.js';
import { sumToShape } from '../src/ops/reduce.js';
import { layerNormRowShape } from '../src/ops/layernorm.js';
import { subgroupRowSize } from '../src/ops/softmax.js';
import { SPLIT_K_CHOICES, splitKChoices } from '../src/ops/matmul_splitk.js';
import { geluScalar, normalCdf } from '../src/ops/reference/elementwise.js';

/** d/dx gelu(x) = Φ(x) + x φ(x), float64. */
const geluGrad = (x: number): number => normalCdf(x) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);

beforeAll(async () => {
  await gpu();
});
afterEach(() => configure({ matmulKernel: undefined }));

const SHAPES: [number, number, number][] = [
  // [M, K, N]
  [7, 33, 129],
  [1, 1000, 3],
  [129, 65, 257],
  [33, 36, 20], // 4-aligned K and N (vec4 loads) with tails in M and N
];

describe('matmul fast paths vs float64', () => {
  const choices = (): string[] => nonEmpty(matmulKernelChoices(), 'matmul kernel choices');

  it('offers the generic kernel and at least one fast config', () => {
    const c = choices();
    expect(c[0]).toBe('strided');
    expect(c.length).toBeGreaterThan(1);
  });

  for (const [transA, transB] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    it(`2-D ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} on awkward shapes, every kernel`, async () => {
      await expect2DMatmulEveryChoice(choices(), SHAPES, transA, transB, 10);
    }, 600_000);
  }

  it('batched products with per-batch B, every kernel', async () => {
    const [batch, m, k, n] = [3, 17, 12, 9];
    for (const [transA, transB] of [
      [false, false],
      [false, true],
      [true, false],
    ] as const) {
      const av = randArray(batch * m * k, 77);
      const bv = randArray(batch * k * n, 78);
      const want = refMatmul(av, bv, batch, m, n, k, transA, transB, false);
      const a = wt.tensor(av, transA ? [batch, k, m] : [batch, m, k]);
      const b = wt.tensor(bv, transB ? [batch, n, k] : [batch, k, n]);
      for (const choice of choices()) {
        configure({ matmulKernel: choice });
        const out = wt.matmul(a, b, { transA, transB });
        expect(maxErr(await out.data(), want), `${choice} batched`).toBeLessThan(1e-5);
        out.dispose();
      }
      a.dispose();
      b.dispose();
    }
  });

  it('alpha and accumulate epilogues, poisoned output', async () => {
    const [m, k, n] = [45, 20, 37];
    const av = randArray(m * k, 5);
    const bv = randArray(k * n, 6);
    const prevV = randArray(m * n, 7);
    const ref = refMatmul(av, bv, 1, m, n, k, false, false, true);
    const a = wt.tensor(av, [m, k]);
    const b = wt.tensor(bv, [k, n]);
    for (const choice of choices()) {
      configure({ matmulKernel: choice });
      const L = (r: number, c: number) => ({ batch1: 0, batch2: 0, row: r, col: c });
      const poisoned = wt.full([m, n], NaN);
      stridedMatmul({
        a,
        aLayout: L(k, 1),
        b,
        bLayout: L(n, 1),
        c: poisoned,
        cLayout: L(n, 1),
        m,
        n,
        k,
        batch1: 1,
        batch2: 1,
        alpha: 0.5,
      });
      expect(
        maxErr(
          await poisoned.data(),
          ref.map((v) => 0.5 * v),
        ),
        `${choice} alpha`,
      ).toBeLessThan(1e-5);
      const acc = wt.tensor(prevV, [m, n]);
      stridedMatmul({
        a,
        aLayout: L(k, 1),
        b,
        bLayout: L(n, 1),
        c: acc,
        cLayout: L(n, 1),
        m,
        n,
        k,
        batch1: 1,
        batch2: 1,
        accumulate: true,
      });
      expect(
        maxErr(
          await acc.data(),
          ref.map((v, i) => v + prevV[i]),
        ),
        `${choice} accumulate`,
      ).toBeLessThan(1e-5);
      poisoned.dispose();
      acc.dispose();
    }
    a.dispose();
    b.dispose();
  });

  it('every baked epilogue (bias, accumulate, GELU with and without the pre-activation), scalar and vec4 C, every kernel', async () => {
    // Each epilogue is generated into the kernel (no runtime flags), so every combination is its own code: checked
    // on a C whose rows are 4-aligned (vec4 stores) and one whose rows are not, with tails in M and N.
    const combos = [
      { bias: false, accumulate: false },
      { bias: true, accumulate: false },
      { bias: false, accumulate: true },
      { bias: true, accumulate: true },
      { bias: true, accumulate: false, gelu: true, keepPre: false },
      { bias: true, accumulate: false, gelu: true, keepPre: true },
      { bias: false, accumulate: true, gelu: true, keepPre: true },
    ];
    const names: string[] = [];
    const rt = wt.runtime();
    rt.profiler = { onDispatch: (name) => void names.push(name) };
    try {
      let seed = 300;
      for (const [m, k, n] of [
        [45, 20, 36],
        [45, 20, 37],
      ]) {
        const av = randArray(m * k, seed++);
        const bv = randArray(n * k, seed++);
        const biasV = randArray(n, seed++);
        const prevV = randArray(m * n, seed++);
        const plain = refMatmul(av, bv, 1, m, n, k, false, true, true);
        // Every combination on the default and the smallest tile; every other kernel with the Linear epilogue (bias)
        // and the fused GELU one (one pipeline per combination and kernel: compiling them all is slow on lavapipe).
        for (const choice of choices()) {
          configure({ matmulKernel: choice });
          const all =
            choice === untunedMatmulChoice({ a: 'row', b: 'nt', vecA: true, vecB: true }, m) || choice === 'plain_r4c8';
          for (const { bias, accumulate, gelu, keepPre } of all ? combos : [combos[1], combos[5]]) {
            const tag = `${choice} N=${n} bias=${bias} accumulate=${accumulate} gelu=${!!gelu} pre=${!!keepPre}`;
            await wt.tidyAsync(async () => {
              const L = (r: number, c: number) => ({ batch1: 0, batch2: 0, row: r, col: c });
              const [a, b, biasT] = [wt.tensor(av, [m, k]), wt.tensor(bv, [n, k]), wt.tensor(biasV, [n])];
              const c = accumulate ? wt.tensor(prevV, [m, n]) : wt.full([m, n], NaN);
              const act = wt.full([m, n], NaN);
              stridedMatmul({
                a,
                aLayout: L(k, 1),
                b,
                bLayout: L(1, k),
                c: gelu && !keepPre && !accumulate ? null : c,
                cLayout: L(n, 1),
                m,
                n,
                k,
                batch1: 1,
                batch2: 1,
                alpha: 0.75,
                bias: bias ? biasT : undefined,
                accumulate,
                gelu: gelu ? act : undefined,
              });
              const pre = plain.map((v, i) => 0.75 * v + (bias ? biasV[i % n] : 0) + (accumulate ? prevV[i] : 0));
              if (!gelu || keepPre) expect(maxErr(await c.data(), pre), `${tag}: C`).toBeLessThan(1e-5);
              if (gelu) expect(maxErr(await act.data(), pre.map(geluScalar)), `${tag}: gelu(C)`).toBeLessThan(2e-6);
            });
          }
        }
      }
    } finally {
      rt.profiler = undefined;
    }
    // Both store paths were generated and run: epilogue ids end in 'v' for the 4-aligned C only.
    const fast = names.filter((nm) => nm.startsWith('matmul_fast_'));
    expect(fast.some((nm) => /_e[bagp]*v$/.test(nm))).toBe(true);
    expect(fast.some((nm) => /_e[bagp]*$/.test(nm))).toBe(true);
    expect(new Set(fast.map((nm) => nm.replace(/.*_e/, ''))).size).toBe(2 * combos.length);
  }, 600_000);

  it('fused bias + GELU epilogue (Linear layout): forward with and without the stored pre-activation, backward', async () => {
    // The epilogue is the same code in every generated kernel: every choice runs the inference forward on one
    // awkward shape; the default and the generic kernel run forward and backward on three.
    const shapes: [number, number, number][] = [
      [45, 20, 37],
      [33, 36, 20],
      [7, 33, 129],
    ];
    for (const [si, [m, k, n]] of shapes.entries()) {
      const av = randArray(m * k, 11).map((v) => 3 * v); // pre-activations over about [-6, 6]: both GELU tails
      const wv = randArray(n * k, 12);
      const biasV = randArray(n, 13);
      const dyV = randArray(m * n, 14);
      const pre = refMatmul(av, wv, 1, m, n, k, false, true, true, biasV);
      const want = pre.map(geluScalar);
      const dc = Float32Array.from(pre, (c, i) => dyV[i] * geluGrad(c)); // dC = dY ⊙ gelu'(C)
      const dA = refMatmul(dc, wv, 1, m, k, n, false, false, true);
      const dW = refMatmul(dc, av, 1, n, k, m, true, false, true);
      const dBias = new Float64Array(n);
      dc.forEach((v, i) => (dBias[i % n] += v));
      for (const choice of si === 0 ? choices() : [undefined, 'strided']) {
        configure({ matmulKernel: choice });
        const tag = `${choice ?? 'default'} gelu (${m},${k},${n})`;
        await wt.tidyAsync(async () => {
          const [a, w, bias] = [wt.tensor(av, [m, k]), wt.tensor(wv, [n, k]), wt.tensor(biasV, [n])];
          wt.full([m, n], NaN).dispose(); // poison the output's pool bucket
          const y = wt.noGrad(() => wt.matmul(a, w, { transB: true, bias, activation: 'gelu' }));
          expect(maxErr(await y.data(), want), `${tag} inference`).toBeLessThan(2e-6);
          if (choice === undefined || choice === 'strided') {
            // With gradients: the same output, and the backward through the kept pre-activation.
            [a, w, bias].forEach((t) => t.requireGrad());
            const yg = wt.matmul(a, w, { transB: true, bias, activation: 'gelu' });
            expect(maxErr(await yg.data(), want), `${tag} training`).toBeLessThan(2e-6);
            wt.backward(yg, wt.tensor(dyV, [m, n]));
            expect(maxErr(await a.grad!.data(), dA), `${tag} dA`).toBeLessThan(2e-5);
            expect(maxErr(await w.grad!.data(), dW), `${tag} dW`).toBeLessThan(2e-5);
            expect(maxErr(await bias.grad!.data(), dBias), `${tag} dbias`).toBeLessThan(2e-5);
          }
        });
      }
    }
    expect(() => wt.matmul(wt.zeros([2, 2]), wt.zeros([2, 2]), { activation: 'relu' as never })).toThrow(
      "matmul: activation must be 'gelu' or left out, got 'relu'",
    );
  });

  it('split-K (weight-gradient products, K cut into 4 or 8 chunks, then summed): TN, NN and NT, poisoned output', async () => {
    for (const [tA, tB, m, n, k] of [
      [true, false, 45, 36, 1024],
      [false, false, 33, 20, 512],
      [false, true, 7, 132, 2048],
      [true, false, 45, 36, 1000],
    ] as const) {
      const av = randArray(m * k, 21);
      const bv = randArray(k * n, 22);
      const want = refMatmul(av, bv, 1, m, n, k, tA, tB, true);
      for (const choice of SPLIT_K_CHOICES) {
        configure({ matmulKernel: choice });
        await wt.tidyAsync(async () => {
          const [a, b] = [wt.tensor(av, tA ? [k, m] : [m, k]), wt.tensor(bv, tB ? [n, k] : [k, n])];
          wt.full([m, n], NaN).dispose();
          const before = wt.runtime().dispatchCount;
          const y = wt.matmul(a, b, { transA: tA, transB: tB });
          // Split: the chunk product, then the column sums. K = 1000 is no multiple of 16 or 32: one unsplit dispatch.
          expect(wt.runtime().dispatchCount - before > 1, `${choice} split taken (K = ${k})`).toBe(k !== 1000);
          expect(
            maxErr(await y.data(), want),
            `${choice} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} (${m},${n},${k})`,
          ).toBeLessThan(2e-5);
        });
      }
    }
    // Eligibility: one matrix, contiguous C, no epilogue, K a multiple of 4·S with chunks of at least 64.
    const L = (r: number, c: number) => ({ batch1: 0, batch2: 0, row: r, col: c });
    const x = wt.zeros([8, 8]);
    const base = {
      a: x,
      aLayout: L(1, 8),
      b: x,
      bLayout: L(8, 1),
      c: x,
      cLayout: L(8, 1),
      m: 8,
      n: 8,
      k: 1024,
      batch1: 1,
      batch2: 1,
    };
    expect(splitKChoices(base)).toEqual(['splitk4', 'splitk8']);
    expect(splitKChoices({ ...base, k: 256 })).toEqual(['splitk4']); // 256 / 8 = 32 < 64
    expect(splitKChoices({ ...base, bias: x })).toEqual([]);
    expect(splitKChoices({ ...base, batch2: 2 })).toEqual([]);
    expect(splitKChoices({ ...base, cLayout: L(12, 1) })).toEqual([]);
    x.dispose();
  });

  it('attention scores and context (heads in place) and their backward, every kernel', async () => {
    const [B, T, H, D] = [2, 7, 3, 5];
    const C = H * D;
    const qv = randArray(B * T * C, 21);
    const kv = randArray(B * T * C, 22);
    const vv = randArray(B * T * C, 23);
    const gv = randArray(B * H * T * T, 24);
    const at = (x: Float32Array, b: number, t: number, h: number, d: number): number => x[(b * T + t) * C + h * D + d];
    // float64 references
    const scores = new Float64Array(B * H * T * T);
    const ctx = new Float64Array(B * T * C);
    const dq = new Float64Array(B * T * C);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < T; i++)
          for (let j = 0; j < T; j++) {
            let s = 0;
            for (let d = 0; d < D; d++) s += at(qv, b, i, h, d) * at(kv, b, j, h, d);
            scores[((b * H + h) * T + i) * T + j] = 0.5 * s;
          }
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < T; i++)
          for (let d = 0; d < D; d++) {
            let s = 0;
            let g = 0;
            for (let j = 0; j < T; j++) {
              s += gv[((b * H + h) * T + i) * T + j] * at(vv, b, j, h, d);
              g += gv[((b * H + h) * T + i) * T + j] * at(kv, b, j, h, d);
            }
            ctx[(b * T + i) * C + h * D + d] = s;
            dq[(b * T + i) * C + h * D + d] = 0.5 * g;
          }
    for (const choice of choices()) {
      configure({ matmulKernel: choice });
      const q = wt.tensor(qv, [B, T, C]).requireGrad();
      const k = wt.tensor(kv, [B, T, C]).requireGrad();
      const v = wt.tensor(vv, [B, T, C]);
      const p = wt.tensor(gv, [B, H, T, T]);
      const s = wt.attentionScores(q, k, H, 0.5);
      expect(maxErr(await s.data(), scores), `${choice} scores`).toBeLessThan(1e-5);
      const [dqT] = s.gradFn!.backward(wt.tensor(gv, [B, H, T, T]));
      expect(maxErr(await dqT!.data(), dq), `${choice} dq`).toBeLessThan(1e-5);
      const c = wt.attentionContext(p, v, H);
      expect(maxErr(await c.data(), ctx), `${choice} context`).toBeLessThan(1e-5);
      for (const t of [q, k, v, p, s, c, dqT]) t?.dispose();
    }
  });
});

describe('one-row-per-subgroup softmax and layernorm vs float64', () => {
  // cols % 4 == 0 takes the subgroup path where the adapter has fixed-size subgroups; other widths the generic one.
  const COLS = [4, 12, 36, 132, 1000, 7, 33];

  it('the subgroup path is taken on this adapter for 4-aligned rows (when it has subgroups)', async () => {
    const { subgroupRowSize } = await import('../src/ops/softmax.js');
    const rt = wt.runtime();
    if (rt.features.has('subgroups')) expect(subgroupRowSize(128)).toBeGreaterThan(0);
    expect(subgroupRowSize(33)).toBe(0);
  });

  it('softmax and log-softmax with mask, scale, ±1e4 logits and an all-masked row; backward', async () => {
    for (const cols of COLS) {
      const [B, H] = [3, 2];
      const rows = B * H;
      const xv = randArray(rows * cols, cols).map((v, i) => (i % 17 === 0 ? v * 1e4 : v));
      const maskV = new Int32Array(B * cols).map((_, i) =>
        Math.floor(i / cols) === 1 ? 0 : (i * 7) % 5 === 0 ? 0 : 1,
      );
      const gv = randArray(rows * cols, cols + 1);
      for (const log of [false, true]) {
        const want = new Float64Array(rows * cols);
        const dwant = new Float64Array(rows * cols);
        for (let r = 0; r < rows; r++) {
          const b = Math.floor(r / H);
          const s = Array.from({ length: cols }, (_, c) =>
            maskV[b * cols + c] === 0 ? -3.4028234663852886e38 : 0.5 * xv[r * cols + c],
          );
          const m = Math.max(...s);
          const e = s.map((v) => Math.exp(v - m));
          const tot = e.reduce((x, y) => x + y, 0);
          const y = s.map((v, c) => (log ? v - m - Math.log(tot) : e[c] / tot));
          y.forEach((v, c) => (want[r * cols + c] = v));
          const gs = Array.from({ length: cols }, (_, c) => gv[r * cols + c]);
          const dot = log ? gs.reduce((x, y2) => x + y2, 0) : gs.reduce((x, g, c) => x + g * y[c], 0);
          for (let c = 0; c < cols; c++) {
            const d = 0.5 * (log ? gs[c] - Math.exp(y[c]) * dot : y[c] * (gs[c] - dot));
            dwant[r * cols + c] = maskV[b * cols + c] === 0 ? 0 : d;
          }
        }
        const x = wt.tensor(xv, [B, H, cols]).requireGrad();
        const mask = wt.tensor(maskV, [B, cols], 'i32');
        const y = log ? wt.logSoftmax(x, { mask, scale: 0.5 }) : wt.softmax(x, { mask, scale: 0.5 });
        const got = await y.data();
        let err = 0;
        for (let i = 0; i < want.length; i++)
          err = Number.isNaN(got[i]) ? Infinity : Math.max(err, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
        expect(err, `${log ? 'log' : ''}softmax cols=${cols}`).toBeLessThan(2e-6);
        const [dx] = y.gradFn!.backward(wt.tensor(gv, [B, H, cols]));
        expect(maxErr(await dx!.data(), dwant), `${log ? 'log' : ''}softmax backward cols=${cols}`).toBeLessThan(2e-6);
        for (const t of [x, mask, y, dx]) t?.dispose();
      }
    }
  });

  it('layerNorm forward and input gradient', async () => {
    for (const cols of COLS) {
      const rows = 5;
      const xv = randArray(rows * cols, 3 * cols).map((v) => 3 + 2 * v);
      const gam = randArray(cols, 5);
      const bet = randArray(cols, 6);
      const gv = randArray(rows * cols, 7);
      const want = new Float64Array(rows * cols);
      const dwant = new Float64Array(rows * cols);
      for (let r = 0; r < rows; r++) {
        const row = Array.from({ length: cols }, (_, c) => xv[r * cols + c]);
        const mean = row.reduce((a, b) => a + b, 0) / cols;
        const vr = row.reduce((a, b) => a + (b - mean) ** 2, 0) / cols;
        const rstd = 1 / Math.sqrt(vr + 1e-5);
        const xh = row.map((v) => (v - mean) * rstd);
        xh.forEach((v, c) => (want[r * cols + c] = v * gam[c] + bet[c]));
        const g = xh.map((_, c) => gv[r * cols + c] * gam[c]);
        const mg = g.reduce((a, b) => a + b, 0) / cols;
        const mgx = g.reduce((a, b, c) => a + b * xh[c], 0) / cols;
        for (let c = 0; c < cols; c++) dwant[r * cols + c] = rstd * (g[c] - mg - xh[c] * mgx);
      }
      const x = wt.tensor(xv, [rows, cols]).requireGrad();
      const y = wt.layerNorm(x, wt.tensor(gam, [cols]), wt.tensor(bet, [cols]), 1e-5);
      expect(maxErr(await y.data(), want), `layerNorm cols=${cols}`).toBeLessThan(1e-5);
      const [dx] = y.gradFn!.backward(wt.tensor(gv, [rows, cols]));
      expect(maxErr(await dx!.data(), dwant), `layerNorm dx cols=${cols}`).toBeLessThan(1e-4);
      x.dispose();
      y.dispose();
      dx?.dispose();
    }
  });
});

describe('layerNorm backward: input and parameter gradients in one pass vs float64', () => {
  // With a fixed subgroup size, rows are held in registers by one subgroup (generated kernel): 36 columns (1 vec4 per
  // lane, the last lane's past the row), 768, 1032 (lanes partly past the row), 3076 (software adapters: more than
  // their cap per lane, 24, so the rest of the row is streamed in each pass; GPUs hold it all); 12292 columns are past
  // every cap (the streamed tail on every adapter). 37 rows leave the last workgroup of 32 (or 4) rows short. Without
  // subgroups the same shapes take the generic kernels. All three gradients, x only, and gamma/beta only (the
  // separate parameter pass).
  it('dx, dgamma, dbeta on 37 / 19 / 3 rows with NaN-poisoned partials', async () => {
    const { poison } = await import('./helpers/check.js');
    const paths = new Set<string>();
    for (const [rows, cols] of [
      [37, 36],
      [37, 768],
      [19, 1032],
      [3, 768],
      [19, 3076],
      [3, 12292],
    ]) {
      const shape = layerNormRowShape(cols);
      paths.add(shape ? (shape.tail ? 'tail' : 'held') : 'generic');
      const xv = randArray(rows * cols, rows + cols).map((v) => 1 + 2 * v);
      const gam = randArray(cols, cols + 1).map((v) => 1 + 0.3 * v);
      const bet = randArray(cols, cols + 2);
      const gv = randArray(rows * cols, cols + 3);
      const dx64 = new Float64Array(rows * cols);
      const dg64 = new Float64Array(cols);
      const db64 = new Float64Array(cols);
      for (let r = 0; r < rows; r++) {
        const row = Array.from({ length: cols }, (_, c) => xv[r * cols + c]);
        const mean = row.reduce((a, b) => a + b, 0) / cols;
        const rstd = 1 / Math.sqrt(row.reduce((a, b) => a + (b - mean) ** 2, 0) / cols + 1e-5);
        const xh = row.map((v) => (v - mean) * rstd);
        const g = xh.map((_, c) => gv[r * cols + c] * gam[c]);
        const mg = g.reduce((a, b) => a + b, 0) / cols;
        const mgx = g.reduce((a, b, c) => a + b * xh[c], 0) / cols;
        for (let c = 0; c < cols; c++) {
          dx64[r * cols + c] = rstd * (g[c] - mg - xh[c] * mgx);
          dg64[c] += gv[r * cols + c] * xh[c];
          db64[c] += gv[r * cols + c];
        }
      }
      for (const [withX, withParams] of [
        [true, true],
        [true, false],
        [false, true],
      ]) {
        const x = wt.tensor(xv, [rows, cols]);
        const gamma = wt.tensor(gam, [cols]);
        const beta = wt.tensor(bet, [cols]);
        if (withX) x.requireGrad();
        if (withParams) {
          gamma.requireGrad();
          beta.requireGrad();
        }
        const y = wt.layerNorm(x, gamma, beta, 1e-5);
        poison(
          [Math.ceil(rows / 8), cols],
          [Math.ceil(rows / 32), cols],
          [Math.ceil(rows / 4), cols],
          [cols],
          [rows, cols],
        );
        const rt = wt.runtime();
        const names: string[] = [];
        rt.profiler = { onDispatch: (name) => void names.push(name) };
        let grads: (wt.Tensor | null)[];
        try {
          grads = y.gradFn!.backward(wt.tensor(gv, [rows, cols]));
        } finally {
          rt.profiler = undefined;
        }
        const [dx, dg, db] = grads;
        const what = `[${rows},${cols}] x:${withX} params:${withParams}`;
        const generatedExpected = withX && shape !== null;
        expect(
          names.some((n) => n.startsWith('layernorm_backward_w')),
          `${what} took the generated kernel`,
        ).toBe(generatedExpected);
        expect(dx === null, `${what} dx`).toBe(!withX);
        expect(dg === null, `${what} dgamma`).toBe(!withParams);
        if (dx) expect(maxErr(await dx.data(), dx64), `${what} dx`).toBeLessThan(1e-4);
        // Column sums over up to 37 rows of O(1) terms.
        if (dg) expect(maxErr(await dg.data(), dg64), `${what} dgamma`).toBeLessThan(2e-4);
        if (db) expect(maxErr(await db.data(), db64), `${what} dbeta`).toBeLessThan(2e-4);
        for (const t of [x, gamma, beta, y, dx, dg, db]) t?.dispose();
      }
    }
    // Both generated paths ran where rows can be held at all (a fixed subgroup size), else only the generic kernels.
    expect([...paths].sort()).toEqual(subgroupRowSize(36) ? ['held', 'tail'] : ['generic']);
  });
});

describe('vec4 GELU vs float64', () => {
  // float64 erf (Abramowitz–Stegun 7.1.26 is too coarse; use a series / continued fraction via Math functions).
  function erf64(x: number): number {
    // High-precision erf: Taylor series for |x| < 3, asymptotic complement beyond.
    const ax = Math.abs(x);
    if (ax < 3) {
      let sum = 0;
      let term = ax;
      for (let n = 0; n < 200; n++) {
        sum += term / (2 * n + 1);
        term *= (-ax * ax) / (n + 1);
        if (Math.abs(term) < 1e-17) break;
      }
      return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
    }
    // erfc continued fraction (Lentz) for large |x|.
    let f = ax;
    for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
    const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
    return Math.sign(x) * (1 - erfc);
  }

  // The vec4 kernels take 4 vec4s per lane, 1024 per workgroup: 4096 fills one workgroup exactly, 6004 leaves the
  // second one part-filled (lanes past the end at every step k). Outputs are NaN-poisoned first.
  it('forward and backward at sizes 4·k (vec4 path) and otherwise, over [-10, 10]', async () => {
    const { poison } = await import('./helpers/check.js');
    for (const n of [4, 1000, 4096, 6004, 1001]) {
      poison([n]);
      const xv = Float32Array.from({ length: n }, (_, i) => -10 + (20 * i) / (n - 1));
      const gv = randArray(n, n);
      const want = Float64Array.from(xv, (v) => 0.5 * v * (1 + erf64(v / Math.SQRT2)));
      const dwant = Float64Array.from(
        xv,
        (v, i) => gv[i] * (0.5 * (1 + erf64(v / Math.SQRT2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI)),
      );
      const x = wt.tensor(xv, [n]).requireGrad();
      const y = wt.gelu(x);
      const got = await y.data();
      let err = 0;
      for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
      expect(err, `gelu n=${n}`).toBeLessThan(2e-6);
      const [dx] = y.gradFn!.backward(wt.tensor(gv, [n]));
      const dgot = await dx!.data();
      let derr = 0;
      for (let i = 0; i < n; i++) derr = Math.max(derr, Math.abs(dgot[i] - dwant[i]));
      expect(derr, `gelu' n=${n}`).toBeLessThan(2e-6);
      x.dispose();
      y.dispose();
      dx?.dispose();
    }
  });
});

describe('two-stage column reductions vs float64', () => {
  it('bias gradient (sumToShape over leading axes) and LayerNorm dgamma/dbeta, rows not a chunk multiple', async () => {
    // [rows, cols]: one chunk, several chunks with a tail, and a scalar-column fallback (cols % 4 ≠ 0).
    for (const [rows, cols] of [
      [5, 12],
      [1037, 20],
      [301, 7],
    ] as const) {
      const gv = randArray(rows * cols, rows + cols);
      const xv = randArray(rows * cols, rows * 3 + cols);
      const db = new Float64Array(cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) db[c] += gv[r * cols + c];
      const g3 = wt.tensor(gv, [1, rows, cols]);
      const s = sumToShape(g3, [cols]);
      expect(maxErr(await s.data(), db), `sumToShape [1,${rows},${cols}]→[${cols}]`).toBeLessThan(
        1e-5 * Math.sqrt(rows),
      );
      s.dispose();
      g3.dispose();
      // LayerNorm parameter gradients: dgamma = Σ dy·x̂, dbeta = Σ dy.
      const dg = new Float64Array(cols);
      for (let r = 0; r < rows; r++) {
        let m = 0;
        for (let c = 0; c < cols; c++) m += xv[r * cols + c];
        m /= cols;
        let v = 0;
        for (let c = 0; c < cols; c++) v += (xv[r * cols + c] - m) ** 2;
        const rstd = 1 / Math.sqrt(v / cols + 1e-5);
        for (let c = 0; c < cols; c++) dg[c] += gv[r * cols + c] * (xv[r * cols + c] - m) * rstd;
      }
      const x = wt.tensor(xv, [rows, cols]);
      const gam = wt.tensor(randArray(cols, 3), [cols]).requireGrad();
      const bet = wt.tensor(randArray(cols, 4), [cols]).requireGrad();
      const y = wt.layerNorm(x, gam, bet, 1e-5);
      const [, dgam, dbet] = y.gradFn!.backward(wt.tensor(gv, [rows, cols]));
      expect(maxErr(await dgam!.data(), dg), `dgamma [${rows},${cols}]`).toBeLessThan(1e-4 * Math.sqrt(rows));
      expect(maxErr(await dbet!.data(), db), `dbeta [${rows},${cols}]`).toBeLessThan(1e-5 * Math.sqrt(rows));
      for (const t of [x, gam, bet, y, dgam, dbet]) t?.dispose();
    }
  });
});
