// Ctrl-C (SIGINT) and SIGTERM (what `kill`, `docker stop` and job schedulers send) during training: the first one
// asks the Trainer to checkpoint after the current step and stop (exit 130 for SIGINT, 143 for SIGTERM follows); a
// second, or one before training started, leaves at once. Shared by the tutorial run and the built-in demo.
import type { TrainerCallback } from '../types.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface InterruptIO {
  stderr(text: string): void;
  onInterrupt?(handler: (signal: StopSignal) => void): () => void;
  exit?(code: number): void;
}

export interface InterruptGuard {
  /** The callback to give the Trainer: it turns a pending interrupt into save + stop at the step's end. */
  callback: TrainerCallback;
  /** Call once the Trainer exists (before that, a signal quits at once). */
  trainingStarted(): void;
  /** The exit code of the signal that stopped the run: 128 + its number (SIGINT 130, SIGTERM 143). */
  exitCode(): number;
  /** Removes the signal subscription. */
  release(): void;
}

/** The shell's convention: 128 + the signal's number. */
export const SIGNAL_EXIT: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export function guardInterrupts(io: InterruptIO): InterruptGuard {
  let started = false;
  let received: StopSignal | undefined;
  const unsubscribe = io.onInterrupt?.((signal) => {
    if (!started || received) {
      io.stderr(`\ntrain: ${signal === 'SIGTERM' ? 'terminated' : 'interrupted'}.\n`);
      io.exit?.(SIGNAL_EXIT[signal]);
      return;
    }
    received = signal;
    const again = signal === 'SIGINT' ? 'Ctrl-C again' : 'a second SIGTERM';
    io.stderr(
      `\ntrain: ${signal === 'SIGINT' ? 'interrupted' : 'SIGTERM received'}: writing a checkpoint after this step (${again} to quit at once)…\n`,
    );
  });
  return {
    callback: {
      onStepEnd: ({ control }) =>
        void (received && Object.assign(control, { shouldSave: true, shouldTrainingStop: true })),
    },
    trainingStarted: () => void (started = true),
    exitCode: () => SIGNAL_EXIT[received ?? 'SIGINT'],
    release: () => unsubscribe?.(),
  };
}
