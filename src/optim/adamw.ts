// torch.optim.AdamW as one fused kernel per parameter tensor: decoupled decay, bias correction, eps added after
// dividing by sqrt(1 − β2^t); the learning rate comes from the host schedule, the clip coefficient from the GPU.
import adamwWgsl from '../../shaders/adamw.wgsl';
import adamwVec4Wgsl from '../../shaders/adamw_vec4.wgsl';
import adamwScheduledWgsl from '../../shaders/adamw_scheduled.wgsl';
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import type { Tensor } from '../tensor/tensor.js';
import { full, tensor, zeros } from '../ops/basic.js';
import { empty, grid1d, grid1dVec4 } from '../ops/kernel.js';
import { keep } from '../tensor/scope.js';

const ADAMW_BINDINGS = {
  param: 'read_write',
  grad: 'read',
  exp_avg: 'read_write',
  exp_avg_sq: 'read_write',
  scale: 'read',
} as const;
const ADAMW_HYPER = {
  lr: 'f32',
  beta1: 'f32',
  beta2: 'f32',
  eps: 'f32',
  wd: 'f32',
  step_size: 'f32',
  bc2_sqrt: 'f32',
  one_minus_beta1: 'f32',
  one_minus_beta2: 'f32',
  decay: 'f32',
} as const;
/** One AdamW step over n values in place (the gradient scaled by scale[0]). */
const ADAMW = defineKernel({
  name: 'adamw',
  source: adamwWgsl,
  bindings: ADAMW_BINDINGS,
  uniforms: { n: 'u32', ...ADAMW_HYPER },
});
/** The same over n4 vec4s, 4 per lane. */
const ADAMW_VEC4 = defineKernel({
  name: 'adamw_vec4',
  source: adamwVec4Wgsl,
  bindings: ADAMW_BINDINGS,
  uniforms: { n4: 'u32', ...ADAMW_HYPER },
});
/** The update with its step, lr and skip decision read on the GPU (stepScheduled); count advances the step. */
const ADAMW_SCHEDULED = defineKernel({
  name: 'adamw_scheduled',
  source: adamwScheduledWgsl,
  bindings: {
    param: 'read_write',
    grad: 'read',
    exp_avg: 'read_write',
    exp_avg_sq: 'read_write',
    scale: 'read',
    sched: 'read',
    counter: 'read_write',
    skip: { access: 'read', optional: true },
  },
  uniforms: {
    n: 'u32',
    width: 'u32',
    column: 'u32',
    rows: 'u32',
    beta1: 'f32',
    beta2: 'f32',
    eps: 'f32',
    one_minus_beta1: 'f32',
    one_minus_beta2: 'f32',
  },
  entryPoints: {
    update: ['param', 'grad', 'exp_avg', 'exp_avg_sq', 'scale', 'sched', 'counter', 'skip'],
    update4: ['param', 'grad', 'exp_avg', 'exp_avg_sq', 'scale', 'sched', 'counter', 'skip'],
    count: ['counter', 'skip'],
  },
});

export interface ParamGroup {
  params: Tensor[];
  weightDecay: number;
}

export interface AdamWOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export interface AdamWState {
  step: number;
  /** Per parameter (by position in the groups): exp_avg and exp_avg_sq values. */
  moments: { expAvg: Float32Array; expAvgSq: Float32Array }[];
}

export class AdamW {
  readonly groups: ParamGroup[];
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  step = 0;
  private readonly moments: { m: Tensor; v: Tensor }[];
  private readonly one: Tensor;
  /** The GPU-scheduled mode (scheduleOnDevice): the per-step table, its shape, and the step counter on the GPU. */
  private scheduled: { table: Tensor; rows: number; width: number; counter: Tensor } | undefined;

  /** params: a flat list (one group, options.weightDecay) or torch-style groups. */
  constructor(params: Tensor[] | ParamGroup[], options: AdamWOptions = {}) {
    this.lr = options.lr ?? 1e-3;
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    const wd = options.weightDecay ?? 1e-2;
    this.groups =
      params.length && 'params' in (params[0] as object)
        ? (params as ParamGroup[])
        : [{ params: params as Tensor[], weightDecay: wd }];
    this.moments = this.parameters().map((p) => ({ m: keep(zeros(p.shape)), v: keep(zeros(p.shape)) }));
    this.one = keep(full([1], 1));
  }

  parameters(): Tensor[] {
    return this.groups.flatMap((g) => g.params);
  }

  /**
   * One update with learning rate `lr` (default this.lr). gradScale: optional [1] or [2] GPU tensor whose last
   * element multiplies every gradient (the clip coefficient from gradNorm), read on the GPU.
   */
  stepWith(lr = this.lr, gradScale?: Tensor): void {
    this.step++;
    const [b1, b2] = this.betas;
    // As torch (single-tensor and fused paths): computed in float64 on the host.
    const stepSize = lr / (1 - b1 ** this.step);
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.step);
    const rt = runtime();
    let scale = this.one;
    if (gradScale) {
      scale = empty([1]);
      rt.copy(gradScale.buffer, scale.buffer, 4, (gradScale.size - 1) * 4, 0);
    }
    let i = 0;
    for (const group of this.groups) {
      for (const p of group.params) {
        const { m, v } = this.moments[i++];
        if (!p.grad) continue;
        // vec4 kernel where the size allows (same math, 4× fewer memory instructions).
        const vec4 = p.size % 4 === 0;
        const n = vec4 ? p.size / 4 : p.size;
        const hyper = {
          lr,
          beta1: b1,
          beta2: b2,
          eps: this.eps,
          wd: group.weightDecay,
          step_size: stepSize,
          bc2_sqrt: bc2Sqrt,
          one_minus_beta1: 1 - b1,
          one_minus_beta2: 1 - b2,
          decay: 1 - lr * group.weightDecay,
        };
        const bindings = {
          param: p.binding,
          grad: p.grad.binding,
          exp_avg: m.binding,
          exp_avg_sq: v.binding,
          scale: scale.binding,
        };
        if (vec4) rt.dispatch(ADAMW_VEC4, { bindings, uniforms: { n4: n, ...hyper }, grid: grid1dVec4(n) });
        else rt.dispatch(ADAMW, { bindings, uniforms: { n, ...hyper }, grid: grid1d(n) });
        p.version++;
      }
    }
    if (scale !== this.one) scale.dispose();
  }

  /**
   * Switches to the GPU-scheduled mode (stepScheduled): the step count lives on the GPU and steps a GradScaler found
   * ±Inf or NaN in are skipped there. lrAfter(k): the lr of the step that follows k taken steps (the scheduler's lr
   * at last_epoch k); maxSteps: the most steps the run can take. The table of per-step scalars (step_size, bc2_sqrt,
   * each group's decay) is computed here in float64 once, as stepWith computes them per step.
   */
  scheduleOnDevice(lrAfter: (taken: number) => number, maxSteps: number): void {
    const [b1, b2] = this.betas;
    const width = 2 + this.groups.length;
    const rows = maxSteps + 2; // row t for t = 1 … maxSteps (+1 spare: a clamped read past the end stays defined)
    const data = new Float32Array(rows * width);
    for (let t = 1; t < rows; t++) {
      const lr = lrAfter(t - 1);
      data[t * width] = lr / (1 - b1 ** t);
      data[t * width + 1] = Math.sqrt(1 - b2 ** t);
      this.groups.forEach((g, i) => (data[t * width + 2 + i] = 1 - lr * g.weightDecay));
    }
    this.disposeSchedule();
    const counter = keep(zeros([2], 'i32'));
    if (this.step > 0) runtime().upload(counter.buffer, Int32Array.of(this.step, this.step));
    this.scheduled = { table: keep(tensor(data, [rows, width])), rows, width, counter };
  }

  /**
   * One update in the GPU-scheduled mode: step t = (steps taken) + 1 read on the GPU with its row of the table; skipped
   * entirely (parameters, moments and count untouched) where skip[0] != 0 (a GradScaler's foundInf). gradScale: the
   * clip coefficient, as in stepWith. No readback.
   */
  stepScheduled(gradScale?: Tensor, skip?: Tensor): void {
    const sch = this.scheduled;
    if (!sch) throw new Error('AdamW.stepScheduled: call scheduleOnDevice(…) first');
    const rt = runtime();
    let scale = this.one;
    if (gradScale) {
      scale = empty([1]);
      rt.copy(gradScale.buffer, scale.buffer, 4, (gradScale.size - 1) * 4, 0);
    }
    const [b1, b2] = this.betas;
    const hyper = {
      width: sch.width,
      rows: sch.rows,
      beta1: b1,
      beta2: b2,
      eps: this.eps,
      one_minus_beta1: 1 - b1,
      one_minus_beta2: 1 - b2,
    };
    const shared = {
      scale: scale.binding,
      sched: sch.table.binding,
      counter: sch.counter.binding,
      skip: skip?.binding,
    };
    let i = 0;
    this.groups.forEach((group, column) => {
      for (const p of group.params) {
        const { m, v } = this.moments[i++];
        if (!p.grad) continue;
        const vec4 = p.size % 4 === 0;
        rt.dispatch(ADAMW_SCHEDULED, {
          entry: vec4 ? 'update4' : 'update',
          bindings: { param: p.binding, grad: p.grad.binding, exp_avg: m.binding, exp_avg_sq: v.binding, ...shared },
          uniforms: { n: p.size, column, ...hyper },
          grid: vec4 ? grid1dVec4(p.size / 4) : grid1d(p.size),
        });
        p.version++;
      }
    });
    rt.dispatch(ADAMW_SCHEDULED, {
      entry: 'count',
      bindings: { counter: sch.counter.binding, skip: skip?.binding },
      uniforms: { n: 0, column: 0, ...hyper },
      grid: [1],
    });
    if (scale !== this.one) scale.dispose();
  }

  /**
   * In the GPU-scheduled mode: steps taken so far, and those taken before the last stepScheduled (the lr that step
   * used is lrAfter(before)). Reads back: logging and checkpoints only.
   */
  async scheduledSteps(): Promise<{ taken: number; before: number }> {
    if (!this.scheduled) return { taken: this.step, before: Math.max(0, this.step - 1) };
    const [taken, before] = await this.scheduled.counter.data();
    return { taken: taken!, before: before! };
  }

  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = undefined;
    }
  }

  /** Moment values (for checkpoints). Reads back: call only when saving. */
  async stateDict(): Promise<AdamWState> {
    const moments = [];
    for (const { m, v } of this.moments)
      moments.push({ expAvg: (await m.data()) as Float32Array, expAvgSq: (await v.data()) as Float32Array });
    return { step: (await this.scheduledSteps()).taken, moments };
  }

  loadStateDict(state: AdamWState): void {
    if (state.moments.length !== this.moments.length) {
      throw new Error(`optimizer state has ${state.moments.length} parameters, the optimizer ${this.moments.length}`);
    }
    this.step = state.step;
    if (this.scheduled) runtime().upload(this.scheduled.counter.buffer, Int32Array.of(state.step, state.step));
    state.moments.forEach((s, i) => {
      const { m, v } = this.moments[i];
      if (s.expAvg.length !== m.size)
        throw new Error(`optimizer state: parameter ${i} has ${s.expAvg.length} values, expected ${m.size}`);
      runtime().upload(m.buffer, s.expAvg);
      runtime().upload(v.buffer, s.expAvgSq);
    });
  }

  /** The exp_avg / exp_avg_sq tensors of parameter i (tests). */
  momentsOf(i: number): { m: Tensor; v: Tensor } {
    return this.moments[i];
  }

  private disposeSchedule(): void {
    this.scheduled?.table.dispose();
    this.scheduled?.counter.dispose();
    this.scheduled = undefined;
  }

  dispose(): void {
    this.disposeSchedule();
    for (const { m, v } of this.moments) {
      m.dispose();
      v.dispose();
    }
    this.one.dispose();
  }
}
