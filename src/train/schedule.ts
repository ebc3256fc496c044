// Learning-rate schedules with transformers' formulas (optimization.py): a LambdaLR whose factor depends on the
// number of completed optimizer steps. The lr used by step k (1-based) is base · factor(k − 1); the Trainer
// logs that value, read before the scheduler advances.
import type { SchedulerType } from './training_args.js';

/** HF get_scheduler's lambdas. step: completed optimizer steps; warmup, total: step counts → lr factor. */
export function lrFactor(type: SchedulerType, step: number, warmup: number, total: number): number {
  if (step < warmup && type !== 'constant') return step / Math.max(1, warmup);
  switch (type) {
    case 'constant':
    case 'constant_with_warmup':
      return 1;
    case 'linear':
      return Math.max(0, (total - step) / Math.max(1, total - warmup));
    case 'cosine': {
      // num_cycles = 0.5: half a cosine from 1 down to 0.
      const progress = (step - warmup) / Math.max(1, total - warmup);
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * 0.5 * 2 * progress)));
    }
  }
}

/** HF TrainingArguments.get_warmup_steps: warmup_steps when > 0, else ceil(total · warmup_ratio). */
export function warmupStepsFor(total: number, warmupSteps: number, warmupRatio: number): number {
  return warmupSteps > 0 ? warmupSteps : Math.ceil(total * warmupRatio);
}

export interface SchedulerState {
  type: SchedulerType;
  base_lr: number;
  warmup_steps: number;
  total_steps: number;
  /** Completed scheduler steps (torch's last_epoch). */
  last_epoch: number;
  /** The lr the next optimizer step will use (torch's _last_lr). */
  last_lr: number;
}

export class LrScheduler {
  /** Completed optimizer steps. */
  lastEpoch = 0;

  constructor(
    readonly type: SchedulerType,
    readonly baseLr: number,
    readonly warmupSteps: number,
    readonly totalSteps: number,
  ) {}

  /** The lr for the next optimizer step (torch computes base_lr · lambda in float64, as here). */
  get lr(): number {
    return this.lrAt(this.lastEpoch);
  }

  /** The lr of the step that follows `completed` completed steps. */
  lrAt(completed: number): number {
    return this.baseLr * lrFactor(this.type, completed, this.warmupSteps, this.totalSteps);
  }

  step(): void {
    this.lastEpoch++;
  }

  stateDict(): SchedulerState {
    return {
      type: this.type,
      base_lr: this.baseLr,
      warmup_steps: this.warmupSteps,
      total_steps: this.totalSteps,
      last_epoch: this.lastEpoch,
      last_lr: this.lr,
    };
  }

  /** Restores the position; the shape of the schedule must be the one this run computed (else resuming is not exact). */
  loadStateDict(s: SchedulerState, where = 'scheduler.json'): void {
    const mismatch = (what: string, saved: unknown, now: unknown): never => {
      throw new Error(
        `${where}: the checkpoint's ${what} is ${saved} but this run's is ${now}; resume with the arguments the run was started with`,
      );
    };
    if (s.type !== this.type) mismatch('lr_scheduler_type', s.type, this.type);
    if (s.base_lr !== this.baseLr) mismatch('learning_rate', s.base_lr, this.baseLr);
    if (s.total_steps !== this.totalSteps) mismatch('number of training steps', s.total_steps, this.totalSteps);
    if (s.warmup_steps !== this.warmupSteps) mismatch('number of warmup steps', s.warmup_steps, this.warmupSteps);
    if (!Number.isInteger(s.last_epoch) || s.last_epoch < 0)
      throw new Error(`${where}: last_epoch ${s.last_epoch} is not a step count`);
    this.lastEpoch = s.last_epoch;
  }
}
