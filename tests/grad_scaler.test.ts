// GradScaler (torch.amp.GradScaler semantics on the GPU) and AdamW's GPU-scheduled mode, which together make
// mixed-precision steps that read nothing back: unscale divides by the scale and flags ±Inf/NaN; a flagged step is
// skipped (parameters, moments and the step count untouched, so the lr schedule does not advance) and the scale
// backs off; good steps grow it at the interval. The scheduled update is checked bit for bit against the host path.
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import { normal, reseed } from './helpers/check.js';
import * as wt from '../src/index.js';
import { GradScaler } from '../src/optim/grad_scaler.js';

beforeAll(async () => {
  await gpu();
  reseed(2424);
});

const shapes = [[7, 33], [129], [1], [33, 5], [4, 8]];
const decay = [0.01, 0.01, 0, 0, 0.01];
const lrAfter = (k: number): number => 1e-3 * Math.max(0, 1 - k / 10); // a linear decay over 10 steps

/** Parameters (two groups, as the Trainer makes them) with fresh random values, and an AdamW over them. */
function setup(init: Float32Array[]) {
  const params = shapes.map((s, i) => wt.tensor(init[i]!, s).keep());
  const groups: wt.ParamGroup[] = [
    { params: params.filter((_, i) => decay[i]! > 0), weightDecay: 0.01 },
    { params: params.filter((_, i) => decay[i] === 0), weightDecay: 0 },
  ];
  return { params, opt: new wt.AdamW(groups, { lr: 1e-3 }) };
}

function setGrads(params: wt.Tensor[], grads: Float32Array[]): void {
  params.forEach((p, i) => {
    p.grad?.dispose();
    p.grad = wt.tensor(grads[i]!, p.shape).keep();
  });
}

const values = (ts: wt.Tensor[]): Promise<Float32Array[]> =>
  Promise.all(ts.map(async (t) => (await t.data()) as Float32Array));
const sizeOf = (s: number[]): number => s.reduce((a, b) => a * b, 1);

describe('AdamW scheduled on the GPU', () => {
  it('is bit for bit the host-driven update over 3 steps (lr schedule, two groups, clip coefficient)', async () => {
    const init = shapes.map((s) => normal(sizeOf(s)));
    const host = setup(init);
    const dev = setup(init);
    dev.opt.scheduleOnDevice(lrAfter, 10);
    for (let step = 0; step < 3; step++) {
      const grads = shapes.map((s) => normal(sizeOf(s), 0.1));
      setGrads(host.params, grads);
      setGrads(dev.params, grads);
      const coef = wt.tensor([3.5, 0.75]); // (norm, clip coefficient): the coefficient is read on the GPU
      host.opt.stepWith(lrAfter(step), coef);
      dev.opt.stepScheduled(coef);
      coef.dispose();
    }
    const [h, d] = [await values(host.params), await values(dev.params)];
    h.forEach((v, i) => expect(Array.from(d[i]!), `param ${i}`).toEqual(Array.from(v)));
    for (let i = 0; i < shapes.length; i++) {
      expect(Array.from(await dev.opt.momentsOf(i).v.data())).toEqual(Array.from(await host.opt.momentsOf(i).v.data()));
    }
    expect(await dev.opt.scheduledSteps()).toEqual({ taken: 3, before: 2 });
    expect((await dev.opt.stateDict()).step).toBe(3);
    for (const o of [host, dev]) {
      o.opt.dispose();
      o.params.forEach((p) => p.dispose());
    }
  });
});

describe('GradScaler', () => {
  it('scale() multiplies the loss and its gradient; unscale() divides in place (vec4 and scalar kernels)', async () => {
    const scaler = new GradScaler({ initScale: 1024 });
    const x = wt.tensor([0.5, -2]).requireGrad();
    const loss = wt.sum(wt.mul(x, x));
    const scaled = scaler.scale(loss);
    expect(await scaled.item()).toBe(1024 * 4.25);
    wt.backward(scaled);
    expect(Array.from(await x.grad!.data())).toEqual([1024, -4096]);
    const g4 = wt.tensor(normal(4000, 1));
    const before = await g4.data();
    scaler.unscale([x.grad!, g4]);
    expect(Array.from(await x.grad!.data())).toEqual([1, -4]);
    expect(Array.from(await g4.data())).toEqual(Array.from(before, (v) => v / 1024)); // exact: a power of 2
    expect((await scaler.state.data())[0]).toBe(0); // nothing found
    for (const t of [x, loss, scaled, g4, x.grad!]) t.dispose();
    scaler.dispose();
  });

  it('a step with ±Inf or NaN gradients is skipped (params, moments, step count, lr position untouched), the scale halves', async () => {
    const init = shapes.map((s) => normal(sizeOf(s)));
    const { params, opt } = setup(init);
    opt.scheduleOnDevice(lrAfter, 10);
    const scaler = new GradScaler(); // HF's defaults: 2^16, ×2 every 2000 good steps, ×0.5 on overflow
    for (const bad of [Infinity, NaN, -Infinity]) {
      const grads = shapes.map((s) => normal(sizeOf(s), 0.1 * 65536));
      grads[3]![7] = bad; // one bad value in one scalar-kernel tensor ([33, 5]) is enough
      setGrads(params, grads);
      scaler.unscale(params.map((p) => p.grad!));
      expect((await scaler.state.data())[0], `found_inf after ${bad}`).toBe(1);
      opt.stepScheduled(undefined, scaler.foundInf);
      scaler.update();
    }
    expect((await values(params)).map((v) => Array.from(v))).toEqual(init.map((v) => Array.from(v)));
    for (let i = 0; i < shapes.length; i++)
      expect(Array.from(await opt.momentsOf(i).m.data()).every((v) => v === 0)).toBe(true);
    expect(await opt.scheduledSteps()).toEqual({ taken: 0, before: 0 });
    expect((await scaler.stateDict()).scale).toBe(2 ** 13); // three back-offs from 2^16
    expect((await scaler.state.data())[0]).toBe(0); // found_inf cleared for the next step

    // The next, finite step is the optimizer's first: it uses the schedule's first lr, as a fresh host AdamW does.
    const grads = shapes.map((s) => normal(sizeOf(s), 0.1));
    setGrads(
      params,
      grads.map((g) => g.map((v) => v * 2 ** 13)),
    );
    scaler.unscale(params.map((p) => p.grad!));
    opt.stepScheduled(undefined, scaler.foundInf);
    scaler.update();
    const host = setup(init);
    setGrads(host.params, grads);
    host.opt.stepWith(lrAfter(0));
    const [h, d] = [await values(host.params), await values(params)];
    h.forEach((v, i) => expect(Array.from(d[i]!), `param ${i}`).toEqual(Array.from(v)));
    expect(await opt.scheduledSteps()).toEqual({ taken: 1, before: 0 });
    expect(await scaler.stateDict()).toMatchObject({ scale: 2 ** 13, _growth_tracker: 1 });
    for (const o of [host, { params, opt }]) {
      o.opt.dispose();
      o.params.forEach((p) => p.dispose());
    }
    scaler.dispose();
  });

  it('grows ×2 after growthInterval good steps in a row; an overflow resets the count', async () => {
    const scaler = new GradScaler({ initScale: 8, growthInterval: 3 });
    const g = wt.tensor([1, 2, 3, 4]).keep();
    const step = async (finite: boolean): Promise<[number, number]> => {
      wt.runtime().upload(g.buffer, Float32Array.of(1, finite ? 2 : Infinity, 3, 4));
      scaler.unscale([g]);
      scaler.update();
      const s = await scaler.stateDict();
      return [s.scale, s._growth_tracker];
    };
    const seen: [number, number][] = [];
    for (const finite of [true, true, true, true, false, true, true, true]) seen.push(await step(finite));
    expect(seen).toEqual([
      [8, 1],
      [8, 2],
      [16, 0],
      [16, 1],
      [8, 0],
      [8, 1],
      [8, 2],
      [16, 0],
    ]);
    g.dispose();
    scaler.dispose();
  });

  it('state round-trips through stateDict/loadStateDict; bad values are named', async () => {
    const a = new GradScaler({ initScale: 4, growthInterval: 5 });
    a.update();
    a.update();
    const s = await a.stateDict();
    expect(s).toEqual({ scale: 4, growth_factor: 2, backoff_factor: 0.5, growth_interval: 5, _growth_tracker: 2 });
    const b = new GradScaler();
    b.loadStateDict({ ...s, scale: 512 });
    expect(await b.stateDict()).toMatchObject({ scale: 512, _growth_tracker: 2 });
    expect(() => b.loadStateDict({ ...s, scale: -1 }, 'ck/scaler.json')).toThrow(
      /ck\/scaler.json: "scale" must be a positive number, got -1/,
    );
    expect(() => new GradScaler({ growthInterval: 0 })).toThrow(/growthInterval must be an integer ≥ 1/);
    a.dispose();
    b.dispose();
  });

  it("addFiniteLoss: a finite loss is added; ±Inf/NaN adds the running mean instead (HF's logging_nan_inf_filter)", async () => {
    const sum = wt.tensor([6]);
    for (const [loss, divisor, want] of [
      [2, 2, 8],
      [Infinity, 4, 10],
      [NaN, 2, 15],
    ] as const) {
      const l = wt.tensor([loss]);
      GradScaler.addFiniteLoss(sum, l, divisor);
      expect(await sum.item()).toBe(want);
      l.dispose();
    }
    sum.dispose();
  });
});
