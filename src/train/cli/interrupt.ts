// Ctrl-C during training: the first press asks the Trainer to checkpoint after the current step and stop (exit
// 130 follows); a second press, or one before training started, leaves at once. Shared by the tutorial run and
// the built-in demo.
import type { TrainerCallback } from '../types.js';

export interface InterruptIO {
  stderr(text: string): void;
  onInterrupt?(handler: () => void): () => void;
  exit?(code: number): void;
}

export interface InterruptGuard {
  /** The callback to give the Trainer: it turns a pending interrupt into save + stop at the step's end. */
  callback: TrainerCallback;
  /** Call once the Trainer exists (before that, Ctrl-C quits at once). */
  trainingStarted(): void;
  /** Removes the Ctrl-C subscription. */
  release(): void;
}

export function guardInterrupts(io: InterruptIO): InterruptGuard {
  let started = false;
  let interrupted = false;
  const unsubscribe = io.onInterrupt?.(() => {
    if (!started || interrupted) {
      io.stderr('\ntrain: interrupted.\n');
      io.exit?.(130);
      return;
    }
    interrupted = true;
    io.stderr('\ntrain: interrupted: writing a checkpoint after this step (Ctrl-C again to quit at once)…\n');
  });
  return {
    callback: { onStepEnd: ({ control }) => void (interrupted && Object.assign(control, { shouldSave: true, shouldTrainingStop: true })) },
    trainingStarted: () => void (started = true),
    release: () => unsubscribe?.(),
  };
}
