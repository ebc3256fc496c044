// AdamW vs a float64 torch.optim.AdamW reference (two param groups, decay on/off, clipping through gradScale and
// through clipGradNorm in place), and the golden check: step 1 of the tiny-distilbert trajectory reproduced from
// the golden grads (params_after_step1, adam_state_after_step1).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import { parseSafetensors } from '../src/io/safetensors.js';
import * as O from '../src/ops/reference/optim.js';
import { compare, normal, poison, read, reseed, sizeOf } from './helpers/check.js';

beforeAll(async () => {
  await gpu();
  reseed(606);
});

const LR = (k: number): number => (1e-3 * (3 - (k - 1))) / 3;

describe('gradNorm over many workgroups (vec4 and scalar partials) vs float64', () => {
  it('total norm and clip coefficient, sizes 4·k and otherwise, poisoned pool', async () => {
    const sizes = [300000, 300001, 4, 3, 65536 * 4 + 8];
    poison(...sizes.map((n) => [n]));
    const data = sizes.map((n) => normal(n, 0.01));
    let sq = 0;
    for (const d of data) for (const v of d) sq += v * v;
    const want = Math.sqrt(sq);
    const ts = data.map((d) => wt.tensor(d));
    const out = await wt.gradNorm(ts, want / 3).data();
    expect(Math.abs(out[0] - want) / want).toBeLessThan(2e-6);
    expect(Math.abs(out[1] - want / 3 / (want + 1e-6))).toBeLessThan(1e-6);
    for (const t of ts) t.dispose();
  });
});

describe('AdamW vs float64 torch.optim.AdamW', () => {
  // [33, 132]: the vec4 kernel over 1089 vec4s, its second workgroup (4 vec4s per lane) part-filled.
  const shapes = [[7, 33], [129], [1], [33, 5], [1000], [33, 132]];
  const decay = [0.01, 0.01, 0, 0, 0.01, 0];
  for (const mode of ['gradScale', 'clipGradNorm'] as const) {
    it(`3 steps, two param groups, clipping via ${mode}`, async () => {
      const init = shapes.map((s) => normal(sizeOf(s)));
      const params = shapes.map((s, i) => wt.tensor(init[i], s).keep());
      const groups: wt.ParamGroup[] = [
        { params: params.filter((_, i) => decay[i] > 0), weightDecay: 0.01 },
        { params: params.filter((_, i) => decay[i] === 0), weightDecay: 0 },
      ];
      const order = [...params.keys()]
        .filter((i) => decay[i] > 0)
        .concat([...params.keys()].filter((i) => decay[i] === 0));
      const opt = new wt.AdamW(groups, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 });
      const refParams = init.map((p) => Float64Array.from(p));
      const state = O.adamwInit(refParams);
      for (let step = 1; step <= 3; step++) {
        const grads = shapes.map((s) => normal(sizeOf(s), 0.05));
        const { total } = O.gradNorm(grads);
        const maxNorm = total * 0.5; // clipping active every step
        const { coef } = O.gradNorm(grads, maxNorm);
        // exp_avg = β1·m + (1−β1)·g cancels when g opposes m: its float32 error scales with β1|m| + (1−β1)|g|.
        const mScale = state.m.map((m, i) => m.map((v, j) => 0.9 * Math.abs(v) + 0.1 * Math.abs(grads[i][j] * coef)));
        O.adamwStep(refParams, grads, state, { lr: LR(step), weightDecay: decay, gradScale: coef });
        await wt.tidyAsync(async () => {
          params.forEach((p, i) => (p.grad = wt.tensor(grads[i], shapes[i]).keep()));
          const before = wt.runtime().readbackCount;
          if (mode === 'gradScale') {
            const norm = wt.gradNorm(
              params.map((p) => p.grad!),
              maxNorm,
            );
            opt.stepWith(LR(step), norm);
          } else {
            wt.clipGradNorm(params, maxNorm);
            opt.stepWith(LR(step));
          }
          expect(wt.runtime().readbackCount).toBe(before);
          opt.zeroGrad();
        });
        for (let i = 0; i < params.length; i++) {
          const k = order.indexOf(i);
          const quiet = step < 3;
          compare(
            `adamw(${mode}) step ${step} param [${shapes[i]}] wd=${decay[i]}`,
            await read(params[i]),
            { shape: shapes[i], data: refParams[i] },
            { rtol: 1e-5, atol: 1e-6, quiet },
          );
          const { m, v } = opt.momentsOf(k);
          compare(
            `adamw(${mode}) step ${step} exp_avg [${shapes[i]}]`,
            await read(m),
            { shape: shapes[i], data: state.m[i] },
            { rtol: 1e-5, scale: mScale[i], quiet },
          );
          compare(
            `adamw(${mode}) step ${step} exp_avg_sq [${shapes[i]}]`,
            await read(v),
            { shape: shapes[i], data: state.v[i] },
            { rtol: 1e-5, quiet },
          );
        }
      }
      expect(opt.step).toBe(3);
      opt.dispose();
      params.forEach((p) => p.dispose());
    });
  }
});

const golden = (name: string): string =>
  fileURLToPath(new URL(`../../shared/golden/tiny-distilbert/${name}`, import.meta.url));
const load = (name: string): Map<string, { shape: number[]; data: Float32Array }> => {
  const file = parseSafetensors(new Uint8Array(readFileSync(golden(name))), name);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, t] of file.tensors) out.set(k, { shape: [...t.shape], data: t.data() as Float32Array });
  return out;
};

describe('golden: tiny-distilbert AdamW trajectory', () => {
  it('step 1 from the golden grads reproduces params_after_step1 and adam_state_after_step1; steps 2-3 match float64', async () => {
    const traj = JSON.parse(readFileSync(golden('trajectory.json'), 'utf8')) as {
      decay_param_names: string[];
      no_decay_param_names: string[];
      steps: { lr: number }[];
    };
    const model = load('model.safetensors');
    const grads = load('grads.safetensors');
    const after1 = load('params_after_step1.safetensors');
    const state1 = load('adam_state_after_step1.safetensors');
    const after3 = load('params_after_step3.safetensors');
    const names = [...traj.decay_param_names, ...traj.no_decay_param_names];
    expect(names.length).toBe(40);
    expect(new Set(names)).toEqual(new Set(model.keys()));
    traj.steps.forEach((s, k) => expect(s.lr).toBeCloseTo(LR(k + 1), 15));

    const params = names.map((n) => {
      const t = wt.tensor(model.get(n)!.data, model.get(n)!.shape).keep();
      t.name = n;
      return t;
    });
    const nDecay = traj.decay_param_names.length;
    const opt = new wt.AdamW(
      [
        { params: params.slice(0, nDecay), weightDecay: 0.01 },
        { params: params.slice(nDecay), weightDecay: 0 },
      ],
      { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 },
    );
    const refParams = names.map((n) => Float64Array.from(model.get(n)!.data));
    const refState = O.adamwInit(refParams);
    const wd = names.map((_, i) => (i < nDecay ? 0.01 : 0));
    const g = names.map((n) => grads.get(n)!.data);

    let worstParam = { abs: 0, rel: 0 };
    let worstState = { abs: 0, rel: 0 };
    for (let step = 1; step <= 3; step++) {
      const { coef } = O.gradNorm(g, 1.0);
      O.adamwStep(refParams, g, refState, { lr: LR(step), weightDecay: wd, gradScale: coef });
      wt.tidy(() => {
        params.forEach((p, i) => (p.grad = wt.tensor(g[i], p.shape).keep()));
        const norm = wt.gradNorm(
          params.map((p) => p.grad!),
          1.0,
        );
        opt.stepWith(LR(step), norm);
        opt.zeroGrad();
      });
      if (step === 1) {
        const norm = O.gradNorm(g).total;
        expect(norm).toBeCloseTo(0.3032371401786804, 6);
        for (let i = 0; i < names.length; i++) {
          const n = names[i];
          const gotP = await read(params[i]);
          const s = compare(
            `golden step1 ${n}`,
            gotP,
            { shape: params[i].shape as number[], data: Float64Array.from(after1.get(n)!.data) },
            { rtol: 1e-5, atol: 1e-6 },
          );
          worstParam = { abs: Math.max(worstParam.abs, s.maxAbs), rel: Math.max(worstParam.rel, s.maxRel) };
          const { m, v } = opt.momentsOf(i);
          for (const [which, t] of [
            ['exp_avg', m],
            ['exp_avg_sq', v],
          ] as const) {
            const want = state1.get(`${n}.${which}`)!;
            const st = compare(
              `golden step1 ${n}.${which}`,
              await read(t),
              { shape: want.shape, data: Float64Array.from(want.data) },
              { rtol: 1e-5, quiet: true },
            );
            worstState = { abs: Math.max(worstState.abs, st.maxAbs), rel: Math.max(worstState.rel, st.maxRel) };
          }
          // The float64 reference agrees with torch too (checks the reference itself).
          compare(
            `ref-vs-golden step1 ${n}`,
            refParams[i],
            { shape: [gotP.length], data: Float64Array.from(after1.get(n)!.data) },
            { rtol: 1e-5, atol: 1e-7, quiet: true },
          );
        }
        console.log(
          `golden step 1: params max abs ${worstParam.abs.toExponential(2)} max rel ${worstParam.rel.toExponential(2)}; adam state max abs ${worstState.abs.toExponential(2)} max rel ${worstState.rel.toExponential(2)}`,
        );
      }
    }
    // Steps 2-3 reuse step 1's grads (the golden grads change each step, so params_after_step3 is only approached):
    // exact against the float64 AdamW above; against torch's step 3 the check is that the fixed-grad steps continue
    // its trajectory. Measured as L2 distances over all parameters: ours is 0.27 of the whole 3-step change
    // ‖p3 − p0‖ = 0.234 away from p3 (max |Δ| per element 2.0e-3, so an elementwise bound proves nothing). A constant
    // lr (0.75), an lr schedule one step off (0.47), a missing bias correction (2.8) or a single step (0.47) fail.
    let toRef = 0;
    let toGolden3 = 0;
    let wholeChange = 0;
    for (let i = 0; i < names.length; i++) {
      const got = await read(params[i]);
      const s = compare(
        `step3 (fixed grads) vs float64 ${names[i]}`,
        got,
        { shape: [got.length], data: refParams[i] },
        { rtol: 1e-5, atol: 1e-6, quiet: true },
      );
      toRef = Math.max(toRef, s.maxAbs);
      const [want3, start] = [after3.get(names[i])!.data, model.get(names[i])!.data];
      for (let j = 0; j < got.length; j++) {
        toGolden3 += (got[j] - want3[j]) ** 2;
        wholeChange += (want3[j] - start[j]) ** 2;
      }
    }
    const ratio = Math.sqrt(toGolden3 / wholeChange);
    console.log(
      `after 3 steps with fixed grads: max abs vs float64 AdamW ${toRef.toExponential(2)}; ` +
        `‖ours − golden p3‖ / ‖p3 − p0‖ ${ratio.toFixed(3)} (‖p3 − p0‖ ${Math.sqrt(wholeChange).toFixed(3)})`,
    );
    expect(ratio).toBeLessThan(0.3);
    opt.dispose();
    params.forEach((p) => p.dispose());
  });
});
