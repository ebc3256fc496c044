// Mixed-precision training (TrainingArguments.fp16), as HF's Trainer runs it with torch.autocast and a GradScaler:
// forwards (training and evaluation) under autocast('f16') (ops/autocast.ts: the products in float16 with float32
// accumulation), the loss scaled before the backward, the gradients unscaled and checked before clipping, and the
// AdamW step taken or skipped on the GPU (optim/adamw.ts stepScheduled), the scale updated after it. The schedule
// follows the steps taken, as HF steps its scheduler only after a step that ran. Nothing is read back in a step: the
// lr a step used and the scale are read when logging, the scaler's state when saving (scaler.json).
import { backward } from '../autograd/tape.js';
import { autocast } from '../ops/autocast.js';
import type { AdamW } from '../optim/adamw.js';
import { GradScaler, type GradScalerOptions, type GradScalerState } from '../optim/grad_scaler.js';
import { runtime } from '../runtime/device.js';
import type { Tensor } from '../tensor/tensor.js';
import { NonFiniteError } from './numerics.js';
import type { LrScheduler } from './schedule.js';

export class MixedPrecision {
  readonly scaler: GradScaler;

  /** Throws where the adapter lacks shader-f16 (the caller names the option). */
  constructor(scalerOptions?: GradScalerOptions) {
    if (!runtime().features.has('shader-f16')) {
      throw new Error(
        `mixed precision needs the WebGPU feature shader-f16, which this adapter (${runtime().info.description}) lacks`,
      );
    }
    this.scaler = new GradScaler(scalerOptions);
  }

  /** fn (a forward, training or evaluation) under autocast('f16'). */
  autocast<T>(fn: () => T): T {
    return autocast('f16', fn);
  }

  /** The backward of the scaled loss (gradients come out multiplied by the scale). */
  backward(loss: Tensor): void {
    backward(this.scaler.scale(loss));
  }

  /** sum += loss, a non-finite loss replaced by the running mean (HF's logging_nan_inf_filter). */
  addLoss(sum: Tensor, loss: Tensor, stepsSinceLog: number): void {
    GradScaler.addFiniteLoss(sum, loss, 1 + stepsSinceLog);
  }

  /** The optimizer's GPU schedule: lr of the step after k taken steps from the host scheduler, up to maxSteps. */
  schedule(optimizer: AdamW, scheduler: LrScheduler, maxSteps: number): void {
    optimizer.scheduleOnDevice((k) => scheduler.lrAt(k), maxSteps);
  }

  /**
   * One update on the gradients of this step: unscale (found_inf), clip (clip(grads) → the coefficient tensor, or
   * undefined without clipping), the AdamW step skipped on the GPU where found_inf, then the scale's update.
   */
  step(optimizer: AdamW, grads: Tensor[], clip: (grads: Tensor[]) => Tensor | undefined): void {
    this.scaler.unscale(grads);
    optimizer.stepScheduled(clip(grads), this.scaler.foundInf);
    this.scaler.update();
  }

  /**
   * At a log (reads back): the lr the last step used (HF logs the lr before its scheduler steps) and the host
   * scheduler moved to the steps taken. A scale under 1 means gradients overflow float16 even unscaled: training
   * has diverged (HF would go on skipping every step), a NonFiniteError naming `step`.
   */
  async syncAtLog(optimizer: AdamW, scheduler: LrScheduler, step: number): Promise<number> {
    const { taken, before } = await optimizer.scheduledSteps();
    scheduler.lastEpoch = taken;
    const [scale] = await this.scaler.scaleTensor.data();
    if (!(scale! >= 1)) {
      throw new NonFiniteError(
        step,
        `the fp16 loss scale fell to ${scale} after steps whose gradients overflowed float16 even unscaled`,
      );
    }
    return scheduler.lrAt(before);
  }

  /** For a checkpoint: the scaler's state; the host scheduler moved to the steps taken (reads back). */
  async stateForCheckpoint(optimizer: AdamW, scheduler: LrScheduler): Promise<GradScalerState> {
    scheduler.lastEpoch = (await optimizer.scheduledSteps()).taken;
    return this.scaler.stateDict();
  }

  dispose(): void {
    this.scaler.dispose();
  }
}
