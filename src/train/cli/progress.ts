// Training progress for humans, as a TrainerCallback: on a TTY one bar redrawn in place every step; otherwise one
// line per logging step (step/total, loss, lr, examples/s, ETA), plus a line per evaluation and checkpoint.
// Throughput and ETA count training time only (evaluations are timed apart), so they stay honest across evals.
import type { LogEntry, TrainerState } from '../trainer_state.js';
import type { StepInfo, TrainerCallback } from '../types.js';

export interface ProgressOptions {
  write: (text: string) => void;
  isTTY: boolean;
  /** Evaluations still to come after each one, for the ETA (0 when unknown). */
  evalsPlanned?: number;
  now?: () => number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class ProgressReporter implements TrainerCallback {
  private readonly now: () => number;
  private lastTick?: number;
  private trainSeconds = 0;
  private examples = 0;
  private steps = 0;
  private evalSeconds = 0;
  private evalsDone = 0;
  private lastLoss?: number;
  private barShown = false;
  /** Evaluations planned for the whole run (for the ETA). */
  evalsPlanned: number;

  constructor(private readonly o: ProgressOptions) {
    this.now = o.now ?? (() => performance.now() / 1000);
    this.evalsPlanned = o.evalsPlanned ?? 0;
  }

  onTrainBegin(): void {
    this.lastTick = this.now();
  }

  onStepEnd(info: StepInfo): void {
    const t = this.now();
    this.trainSeconds += t - (this.lastTick ?? t);
    this.lastTick = t;
    this.examples += info.examples;
    this.steps++;
    if (this.o.isTTY) this.drawBar(info.state);
  }

  onLog(logs: LogEntry, state: TrainerState): void {
    if ('loss' in logs) {
      this.lastLoss = logs.loss;
      if (!this.o.isTTY) this.line(this.status(state, logs));
    } else if ('train_runtime' in logs) {
      this.line(
        `training done in ${formatDuration(logs.train_runtime!)}: ${state.globalStep} steps, train_loss ${fmt(logs.train_loss, 4)}`,
      );
    }
  }

  onEvaluate(metrics: Record<string, number>, state: TrainerState): void {
    this.evalSeconds += metrics.eval_runtime ?? 0;
    this.evalsDone++;
    const parts = Object.entries(metrics)
      .filter(([k]) => !/_(runtime|per_second)$/.test(k))
      .map(([k, v]) => `${k.replace(/^eval_/, '')} ${fmt(v, 4)}`);
    this.line(
      `eval @ step ${state.globalStep} (epoch ${state.epoch.toFixed(2)}): ${parts.join(' | ')} (${formatDuration(metrics.eval_runtime ?? 0)})`,
    );
    this.lastTick = this.now(); // evaluation time is not training time
  }

  onSave(checkpoint: string): void {
    this.line(`checkpoint written: ${checkpoint}`);
    this.lastTick = this.now();
  }

  /** "step 12/100 (12%) | epoch 0.24 | loss 0.6931 | lr 1.90e-05 | 12.3 ex/s | ETA 3m20s" */
  status(state: TrainerState, logs?: LogEntry): string {
    const pct = state.maxSteps ? Math.floor((100 * state.globalStep) / state.maxSteps) : 0;
    const parts = [`step ${state.globalStep}/${state.maxSteps} (${pct}%)`, `epoch ${state.epoch.toFixed(2)}`];
    const loss = logs?.loss ?? this.lastLoss;
    if (loss !== undefined) parts.push(`loss ${loss.toFixed(4)}`);
    if (logs?.learning_rate !== undefined) parts.push(`lr ${logs.learning_rate.toExponential(2)}`);
    parts.push(`${this.examplesPerSecond().toFixed(1)} ex/s`, `ETA ${formatDuration(this.eta(state))}`);
    return parts.join(' | ');
  }

  examplesPerSecond(): number {
    return this.trainSeconds > 0 ? this.examples / this.trainSeconds : 0;
  }

  eta(state: TrainerState): number {
    if (this.steps === 0) return NaN;
    const perStep = this.trainSeconds / this.steps;
    const perEval = this.evalsDone ? this.evalSeconds / this.evalsDone : 0;
    const evalsLeft = Math.max(0, this.evalsPlanned - this.evalsDone);
    return (state.maxSteps - state.globalStep) * perStep + evalsLeft * perEval;
  }

  private drawBar(state: TrainerState): void {
    const width = 28;
    const filled = state.maxSteps ? Math.round((width * state.globalStep) / state.maxSteps) : 0;
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    this.o.write(`\r\x1b[2K${bar} ${this.status(state)}`);
    this.barShown = true;
  }

  /** A full line; on a TTY it first moves off the bar, which the next step redraws. */
  private line(text: string): void {
    if (this.barShown) this.o.write('\r\x1b[2K');
    this.o.write(`${text}\n`);
  }
}

function fmt(v: number | undefined, digits: number): string {
  return v === undefined ? '?' : Number.isInteger(v) ? String(v) : v.toFixed(digits);
}
