// The subgroup-matrix matmul family (matmul_sgmat.ts: f16 operands on the matrix units through Dawn's
// chromium_experimental_subgroup_matrix, f32 accumulation). Where the adapter has the feature: every offered config
// against a float64 matmul of the halves, on awkward shapes and every layout, with the epilogues and a split-K weight
// gradient. Everywhere (lavapipe has no subgroup matrices): the generated WGSL's structure for the shapes NVIDIA and
// Apple report, its interface against the descriptor, and a parse by Dawn's WGSL front end whose only complaint may be
// that this adapter does not allow the extension. Its speed and its compilation by a driver wait for a GPU.
import { afterEach, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import { itNeeds, lacksFeature, nonEmpty } from './helpers/needs.js';
import { poison } from './helpers/check.js';
import { maxErr, randArray, refMatmul } from './helpers/matmul_ref.js';
import * as wt from '../src/index.js';
import {
  generateSgmatMatmul,
  MATMUL_SGMAT,
  sgmatBlock,
  sgmatConfigsFor,
  sgmatParams,
} from '../src/ops/matmul_sgmat.js';
import { candidateChoices, sgmatConfigs, untunedMatmulChoice } from '../src/ops/matmul_select.js';
import { stridedMatmul } from '../src/ops/matmul_strided.js';
import { configure } from '../src/runtime/settings.js';
import { interfaceMismatch, readWgslInterface } from '../src/runtime/wgsl_header.js';
import { geluScalar } from '../src/ops/reference/elementwise.js';

const rt = await gpu();
const NO_MATRIX =
  (await lacksFeature('chromium-experimental-subgroup-matrix')) ??
  (rt.profile.subgroupMatrixF16?.length
    ? undefined
    : `the adapter (${rt.info.description}) reports no f16 → f32 subgroup-matrix shape`);
afterEach(() => configure({ matmulKernel: undefined }));

const NVIDIA = { componentType: 'f16', resultComponentType: 'f32', M: 16, N: 16, K: 16 };
const APPLE = { componentType: 'f16', resultComponentType: 'f32', M: 8, N: 8, K: 8 };
const half = { a: 'row', b: 'nt', vecA: false, vecB: false, halfA: true, halfB: true } as const;
const epi = { bias: true, accumulate: false, gelu: true, storePre: true, vecC: false };

/** Dawn's WGSL diagnostics for `code` (errors captured, not printed). */
async function wgslErrors(code: string): Promise<string[]> {
  rt.device.pushErrorScope('validation');
  const module = rt.device.createShaderModule({ code });
  const info = await module.getCompilationInfo();
  await rt.device.popErrorScope();
  return info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
}

describe('subgroup-matrix matmul: the generated WGSL (checked on every adapter)', () => {
  for (const [name, hw, subgroup] of [
    ['NVIDIA 16×16×16, subgroups of 32', NVIDIA, 32],
    ['Apple 8×8×8, subgroups of 32', APPLE, 32],
  ] as const) {
    it(`${name}: blocks, types, workgroup size, one multiply-accumulate per result matrix and k step`, () => {
      const configs = nonEmpty(sgmatConfigsFor(hw), 'block configs');
      for (const c of configs) {
        const code = generateSgmatMatmul(sgmatParams(half, c, epi, subgroup));
        const { bm, bn, bk } = sgmatBlock(c);
        expect([bm % (2 * hw.M), bn % (2 * hw.N), bk % hw.K]).toEqual([0, 0, 0]);
        expect(code).toMatch(/^enable f16;\nenable subgroups;\nenable chromium_experimental_subgroup_matrix;$/m);
        expect(code).toContain('diagnostic(off, chromium_experimental.subgroup_matrix_uniformity);');
        const threads = Number(/@workgroup_size\((\d+)\)/.exec(code)![1]);
        expect(threads % subgroup).toBe(0); // the extension's rule: x a multiple of the largest subgroup
        expect(threads).toBe(c.sgm * c.sgn * subgroup);
        expect(code).toContain(`subgroup_matrix_left<f16, ${hw.K}, ${hw.M}>`);
        expect(code).toContain(`subgroup_matrix_right<f16, ${hw.N}, ${hw.K}>`);
        expect(code).toContain(`subgroup_matrix_result<f32, ${hw.N}, ${hw.M}>`);
        expect(code.match(/subgroupMatrixMultiplyAccumulate\(/g)).toHaveLength(c.sm * c.sn);
        expect(code.match(/subgroupMatrixStore\(/g)).toHaveLength(c.sm * c.sn);
        // Barriers: two per k step (staged, consumed) and two per result matrix, none inside a subgroup-only branch.
        expect(code.match(/workgroupBarrier\(\)/g)).toHaveLength(2 + 2 * c.sm * c.sn);
        for (const line of code.split('\n').filter((l) => l.includes('workgroupBarrier')))
          expect(line.trim()).toBe('workgroupBarrier();');
        // Workgroup memory within WebGPU's default 16 KiB.
        expect(2 * bk * (bm + bn) + 4 * c.sgm * c.sgn * hw.M * hw.N).toBeLessThanOrEqual(16384);
      }
    });
  }

  it('matches its descriptor (bindings, uniforms, entry point) for every layout and epilogue', () => {
    const c = sgmatConfigsFor(NVIDIA)[0]!;
    for (const a of ['row', 'col'] as const) {
      for (const b of ['nn', 'nt'] as const) {
        for (const e of [epi, { ...epi, gelu: false, bias: false, accumulate: true }]) {
          const params = sgmatParams({ ...half, a, b, halfA: a === 'row' }, c, e, 32);
          const inst = MATMUL_SGMAT.instance(params);
          expect(interfaceMismatch(inst.declared, readWgslInterface(inst.code)), `${a}${b}`).toBeUndefined();
        }
      }
    }
  });

  it("parses in Dawn's WGSL front end: the only error (without the feature) is the extension itself", async () => {
    const c = sgmatConfigsFor(NVIDIA)[0]!;
    for (const [a, b] of [
      ['row', 'nt'],
      ['col', 'nn'],
    ] as const) {
      const code = generateSgmatMatmul(sgmatParams({ ...half, a, b }, c, epi, 32));
      const errors = await wgslErrors(code);
      if (rt.features.has('chromium-experimental-subgroup-matrix')) expect(errors).toEqual([]);
      else
        expect(errors).toEqual([
          expect.stringMatching(/extension 'chromium_experimental_subgroup_matrix' is not allowed/),
        ]);
    }
    // The check can fail: a syntax error is reported (before the extension is even looked at).
    const broken = generateSgmatMatmul(sgmatParams(half, c, epi, 32)).replace('let b1 =', 'let b1 ==');
    expect((await wgslErrors(broken)).join()).toMatch(/expected '=' for 'let' declaration/);
  });

  it('is offered only for f16 × f16 products on adapters with f16 → f32 subgroup matrices', () => {
    const f32 = { a: 'row', b: 'nt', vecA: true, vecB: true } as const;
    expect(sgmatConfigs(f32)).toEqual([]);
    const offered = sgmatConfigs({ ...f32, halfA: true, halfB: true });
    if (NO_MATRIX) expect(offered).toEqual([]);
    else expect(offered.length).toBeGreaterThan(0);
    const choices = candidateChoices({ ...f32, halfA: true, halfB: true }, []);
    expect(choices.some((c) => c.startsWith('sgmat_'))).toBe(!NO_MATRIX);
  });
});

describe('subgroup-matrix matmul vs float64 (on an adapter with the feature)', () => {
  const tol = (k: number): number => 2e-5 * Math.sqrt(k) + 1e-5;
  const ids = (): string[] =>
    nonEmpty(
      candidateChoices({ a: 'row', b: 'nt', vecA: true, vecB: true, halfA: true, halfB: true }, []).filter((c) =>
        c.startsWith('sgmat_'),
      ),
      'sgmat configs',
    );

  itNeeds(
    NO_MATRIX,
    'every config and layout on awkward shapes, bias + GELU epilogue, outputs poisoned',
    async () => {
      for (const id of ids()) {
        for (const [transA, transB] of [
          [false, false],
          [false, true],
          [true, false],
          [true, true],
        ] as const) {
          for (const [m, k, n] of [
            [1, 1, 1],
            [33, 129, 7],
            [130, 40, 200],
          ] as const) {
            const a = wt.cast(wt.tensor(randArray(m * k, m + k), transA ? [k, m] : [m, k]), 'f16');
            const b = wt.cast(wt.tensor(randArray(k * n, n + k), transB ? [n, k] : [k, n]), 'f16');
            const biasV = randArray(n, 3);
            const bias = wt.tensor(biasV);
            const want = refMatmul(await a.data(), await b.data(), 1, m, n, k, transA, transB, true, biasV).map(
              geluScalar,
            );
            configure({ matmulKernel: id });
            poison([m, n], [m, n]);
            const out = wt.matmul(a, b, { transA, transB, bias, activation: 'gelu' });
            expect(
              maxErr(await out.data(), want),
              `${id} ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${m}×${k}×${n}`,
            ).toBeLessThan(tol(k));
            for (const t of [a, b, bias, out]) t.dispose();
          }
        }
      }
    },
    600_000,
  );

  itNeeds(
    NO_MATRIX,
    'a weight gradient dW = dYᵀ·X with K = 4096 through split-K (chunks on the matrix units), and batches',
    async () => {
      const [m, n, k] = [64, 48, 4096];
      const g = wt.cast(wt.tensor(randArray(k * m, 1), [k, m]), 'f16');
      const x = wt.cast(wt.tensor(randArray(k * n, 2), [k, n]), 'f16');
      const want = refMatmul(await g.data(), await x.data(), 1, m, n, k, true, false, true);
      const c = wt.full([m, n], NaN);
      const L = (row: number, col: number) => ({ batch1: 0, batch2: 0, row, col });
      configure({ matmulKernel: 'splitk8' });
      stridedMatmul({
        a: g,
        aLayout: L(1, m),
        b: x,
        bLayout: L(n, 1),
        c,
        cLayout: L(n, 1),
        m,
        n,
        k,
        batch1: 1,
        batch2: 1,
      });
      expect(maxErr(await c.data(), want)).toBeLessThan(tol(k));
      for (const t of [g, x, c]) t.dispose();
      expect(untunedMatmulChoice({ a: 'col', b: 'nn', vecA: true, vecB: true, halfA: true, halfB: true }, 64)).toMatch(
        /^sgmat_/,
      );
    },
  );
});
