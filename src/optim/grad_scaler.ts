// torch.amp.GradScaler (HF's Trainer with fp16=True) on the GPU: the loss is multiplied by the scale before the
// backward, so small float16 gradients do not flush to zero; before clipping the gradients are divided by it again
// and checked; a step whose gradients hold ±Inf or NaN is skipped (the optimizer reads found_inf on the GPU) and the
// scale backs off, while every growthInterval good steps it grows. Nothing is read back: the scale, found_inf and
// the growth tracker stay in GPU buffers (read only for checkpoints and logs). Kernels: shaders/grad_scaler.wgsl.
import gradScalerWgsl from '../../shaders/grad_scaler.wgsl';
import { mul } from '../ops/elementwise.js';
import { full, zeros } from '../ops/basic.js';
import { grid1d, grid1dVec4 } from '../ops/kernel.js';
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import { keep } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';

const GRAD_SCALER = defineKernel({
  name: 'grad_scaler',
  source: gradScalerWgsl,
  bindings: { x: 'read_write', scale: 'read_write', state: 'read_write', loss: 'read', sum: 'read_write' },
  uniforms: { n: 'u32', growth: 'f32', backoff: 'f32', interval: 'u32', divisor: 'f32' },
  entryPoints: {
    unscale: ['x', 'scale', 'state'],
    unscale4: ['x', 'scale', 'state'],
    update: ['scale', 'state'],
    filter_loss: ['loss', 'sum'],
  },
});

/** torch.amp.GradScaler's constructor arguments (its defaults, which HF's Trainer uses). */
export interface GradScalerOptions {
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
}

/** What a checkpoint keeps (torch's GradScaler.state_dict()). */
export interface GradScalerState {
  scale: number;
  growth_factor: number;
  backoff_factor: number;
  growth_interval: number;
  _growth_tracker: number;
}

export class GradScaler {
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;
  /** [1] f32: the current scale. */
  readonly scaleTensor: Tensor;
  /** [2] u32 (stored as i32): found_inf (0 or 1) of the step in progress, then the growth tracker. */
  readonly state: Tensor;

  constructor(options: GradScalerOptions = {}) {
    const { initScale = 2 ** 16, growthFactor = 2, backoffFactor = 0.5, growthInterval = 2000 } = options;
    if (!(initScale > 0 && Number.isFinite(initScale)))
      throw new Error(`GradScaler: initScale must be a positive number, got ${initScale}`);
    if (!(growthFactor > 1)) throw new Error(`GradScaler: growthFactor must be > 1, got ${growthFactor}`);
    if (!(backoffFactor > 0 && backoffFactor < 1))
      throw new Error(`GradScaler: backoffFactor must be in (0, 1), got ${backoffFactor}`);
    if (!(Number.isInteger(growthInterval) && growthInterval >= 1)) {
      throw new Error(`GradScaler: growthInterval must be an integer ≥ 1, got ${growthInterval}`);
    }
    this.growthFactor = growthFactor;
    this.backoffFactor = backoffFactor;
    this.growthInterval = growthInterval;
    this.scaleTensor = keep(full([1], initScale));
    this.state = keep(zeros([2], 'i32'));
  }

  /** loss · scale (differentiable in loss): call backward() on this. loss: [] or [1] → [1]. */
  scale(loss: Tensor): Tensor {
    return mul(loss, this.scaleTensor);
  }

  /** Divides every gradient by the scale in place and records whether any result is ±Inf or NaN (found_inf). */
  unscale(grads: readonly Tensor[]): void {
    const rt = runtime();
    const common = { scale: this.scaleTensor.binding, state: this.state.binding };
    for (const g of grads) {
      const vec4 = g.size % 4 === 0;
      rt.dispatch(GRAD_SCALER, {
        entry: vec4 ? 'unscale4' : 'unscale',
        bindings: { x: g.binding, ...common },
        uniforms: { n: g.size, growth: 0, backoff: 0, interval: 0, divisor: 1 },
        grid: vec4 ? grid1dVec4(g.size / 4) : grid1d(g.size),
      });
    }
  }

  /** On the GPU, i32 element 0: 1 while the step in progress found ±Inf or NaN (the optimizer skips it), else 0. */
  get foundInf(): Tensor {
    return this.state;
  }

  /** After the optimizer step: backs the scale off after an overflow, or counts the good step (growing at the interval). */
  update(): void {
    runtime().dispatch(GRAD_SCALER, {
      entry: 'update',
      bindings: { scale: this.scaleTensor.binding, state: this.state.binding },
      uniforms: {
        n: 0,
        growth: this.growthFactor,
        backoff: this.backoffFactor,
        interval: this.growthInterval,
        divisor: 1,
      },
      grid: [1],
    });
  }

  /**
   * sum += loss, or sum += sum / divisor where the loss is ±Inf or NaN (HF's logging_nan_inf_filter, on by default:
   * an overflowing float16 step does not spoil the logged loss). sum, loss: [1] on the GPU.
   */
  static addFiniteLoss(sum: Tensor, loss: Tensor, divisor: number): void {
    runtime().dispatch(GRAD_SCALER, {
      entry: 'filter_loss',
      bindings: { loss: loss.binding, sum: sum.binding },
      uniforms: { n: 0, growth: 0, backoff: 0, interval: 0, divisor },
      grid: [1],
    });
  }

  /** The scale and growth tracker (reads back: checkpoints and logs only). */
  async stateDict(): Promise<GradScalerState> {
    const [scale] = await this.scaleTensor.data();
    const [, tracker] = await this.state.data();
    return {
      scale: scale!,
      growth_factor: this.growthFactor,
      backoff_factor: this.backoffFactor,
      growth_interval: this.growthInterval,
      _growth_tracker: tracker!,
    };
  }

  /** Restores the scale and tracker (found_inf cleared); `where` names the source in errors. */
  loadStateDict(s: GradScalerState, where = 'scaler.json'): void {
    if (!(typeof s.scale === 'number' && s.scale > 0 && Number.isFinite(s.scale))) {
      throw new Error(`${where}: "scale" must be a positive number, got ${JSON.stringify(s.scale)}`);
    }
    if (!(Number.isInteger(s._growth_tracker) && s._growth_tracker >= 0)) {
      throw new Error(`${where}: "_growth_tracker" must be an integer ≥ 0, got ${JSON.stringify(s._growth_tracker)}`);
    }
    runtime().upload(this.scaleTensor.buffer, Float32Array.of(s.scale));
    runtime().upload(this.state.buffer, Int32Array.of(0, s._growth_tracker));
  }

  dispose(): void {
    this.scaleTensor.dispose();
    this.state.dispose();
  }
}
