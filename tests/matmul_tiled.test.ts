// The workgroup-memory tiled matmul family (matmul_tiled.ts: double-buffered BM × BN blocks, TM × TN register tiles),
// a GPU kernel that lavapipe runs too (slowly, so never by default there): forced through settings, every config
// against a float64 CPU matmul on shapes that are multiples of no tile, every layout, bias / GELU / accumulate
// epilogues, batches, f16 operands; outputs poisoned with NaN first. Correctness only: its speed waits for a GPU.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import { itNeeds, lacksFeature, nonEmpty } from './helpers/needs.js';
import { poison } from './helpers/check.js';
import { maxErr, randArray, refMatmul } from './helpers/matmul_ref.js';
import * as wt from '../src/index.js';
import { candidateChoices, tiledKernelChoices, untunedMatmulChoice } from '../src/ops/matmul_select.js';
import { stridedMatmul } from '../src/ops/matmul_strided.js';
import { generateTiledMatmul, tiledParams, TILED_CONFIGS } from '../src/ops/matmul_tiled.js';
import { configure } from '../src/runtime/settings.js';
import { geluScalar } from '../src/ops/reference/elementwise.js';

const NO_F16 = await lacksFeature('shader-f16');
beforeAll(async () => {
  await gpu();
});
afterEach(() => configure({ matmulKernel: undefined }));

const choices = (): string[] => nonEmpty(tiledKernelChoices(), 'tiled configs this device allows');
const tol = (k: number): number => 2e-5 * Math.sqrt(k) + 1e-5;

/** op(a)·op(b) + bias (optionally GELU) through `choice`, against float64; returns the error. */
async function check(
  choice: string,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  gelu = false,
): Promise<number> {
  const av = randArray(m * k, m + 3 * k);
  const bv = randArray(k * n, n + 5 * k);
  const biasV = randArray(n, n + 1);
  const ref = refMatmul(av, bv, 1, m, n, k, transA, transB, true, biasV);
  const want = gelu ? ref.map(geluScalar) : ref;
  const a = wt.tensor(av, transA ? [k, m] : [m, k]);
  const b = wt.tensor(bv, transB ? [n, k] : [k, n]);
  const bias = wt.tensor(biasV, [n]);
  poison([m, n], [m, n]);
  configure({ matmulKernel: choice });
  const out = wt.matmul(a, b, { transA, transB, bias, activation: gelu ? 'gelu' : undefined });
  const err = maxErr(await out.data(), want);
  for (const t of [a, b, bias, out]) t.dispose();
  return err;
}

describe('tiled matmul (workgroup memory) vs float64', () => {
  it('offers its configs on this device; autotuning tries them on GPUs only; no software default picks one', () => {
    const ids = choices();
    expect(ids).toContain('tiled_m64n64k8t4x4');
    const layout = { a: 'row', b: 'nt', vecA: true, vecB: true } as const;
    const tuned = candidateChoices(layout, []);
    const rt = wt.runtime();
    expect(ids.every((id) => tuned.includes(id))).toBe(!rt.profile.software);
    if (rt.profile.software)
      for (const m of [1, 16, 128, 2048]) expect(untunedMatmulChoice(layout, m)).not.toMatch(/^tiled/);
  });

  for (const [transA, transB] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    it(`${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}: the 128×128 config on awkward shapes (tails in M, N and K, vec4 and scalar loads)`, async () => {
      for (const [m, k, n] of [
        [1, 1, 1],
        [33, 129, 7],
        [130, 20, 67],
        [129, 36, 132],
      ] as const) {
        const err = await check('tiled_m128n128k8t8x8', m, k, n, transA, transB);
        expect(err, `M=${m} K=${k} N=${n}`).toBeLessThan(tol(k));
      }
    }, 600_000);
  }

  it('every config, NT with a GELU epilogue (fused, pre-activation kept for the backward)', async () => {
    for (const id of choices()) {
      const err = await check(id, 70, 40, 72, false, true, true);
      expect(err, id).toBeLessThan(tol(40));
    }
  }, 600_000);

  it('batched per-batch B, alpha and accumulate (strided product), poisoned output', async () => {
    const [batch, m, k, n] = [3, 17, 12, 9];
    const av = randArray(batch * m * k, 41);
    const bv = randArray(batch * k * n, 42);
    const prev = randArray(batch * m * n, 43);
    const ref = refMatmul(av, bv, batch, m, n, k, false, false, false);
    const a = wt.tensor(av, [batch, m, k]);
    const b = wt.tensor(bv, [batch, k, n]);
    configure({ matmulKernel: 'tiled_m32n64k16t4x4' });
    const c = wt.tensor(prev, [batch, m, n]);
    const L = (b2: number, r: number) => ({ batch1: 0, batch2: b2, row: r, col: 1 });
    stridedMatmul({
      a,
      aLayout: L(m * k, k),
      b,
      bLayout: L(k * n, n),
      c,
      cLayout: L(m * n, n),
      m,
      n,
      k,
      batch1: 1,
      batch2: batch,
      alpha: 0.5,
      accumulate: true,
    });
    expect(
      maxErr(
        await c.data(),
        ref.map((v, i) => 0.5 * v + prev[i]!),
      ),
    ).toBeLessThan(1e-5);
    for (const t of [a, b, c]) t.dispose();
  });

  itNeeds(NO_F16, 'f16 operands (widened while staging), f32 accumulation, against float64 of the halves', async () => {
    const [m, k, n] = [65, 48, 33];
    const a = wt.cast(wt.tensor(randArray(m * k, 7), [m, k]), 'f16');
    const b = wt.cast(wt.tensor(randArray(n * k, 8), [n, k]), 'f16');
    const want = refMatmul(await a.data(), await b.data(), 1, m, n, k, false, true, true);
    configure({ matmulKernel: 'tiled_m64n64k8t4x4' });
    poison([m, n]);
    const out = wt.matmul(a, b, { transB: true });
    expect(maxErr(await out.data(), want)).toBeLessThan(tol(k));
    for (const t of [a, b, out]) t.dispose();
  });

  it('its WGSL says what it is: double-buffered tiles in workgroup memory, one barrier per step, vec4 reads', () => {
    const l = { a: 'row', b: 'nn', vecA: true, vecB: true } as const;
    const e = { bias: true, accumulate: false, gelu: false, storePre: true, vecC: true };
    const code = generateTiledMatmul(tiledParams(l, TILED_CONFIGS[0]!, e));
    expect(code).toContain('var<workgroup> As: array<f32, 2048>;'); // 2 × BK 8 × BM 128
    expect(code).toContain('@compute @workgroup_size(256)');
    expect(code.match(/workgroupBarrier\(\)/g)).toHaveLength(2); // after the prologue, then once per step
    expect(code).toContain('let more = s + 1u < steps;');
  });
});
