// The terminal a training run talks to: the CLI passes Node's (nodeIO in src/cli/train.ts), the built-in demo the
// same one, tests a recorder.
import type { StopSignal } from './interrupt.js';

export interface TrainIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Draw a progress bar (stderr is a terminal) instead of one line per logging step. */
  stderrIsTTY: boolean;
  /** Subscribes to Ctrl-C (SIGINT) and SIGTERM; returns the unsubscribe function. */
  onInterrupt?(handler: (signal: StopSignal) => void): () => void;
  /** Leaves at once (a second signal, or one before training started). */
  exit?(code: number): void;
}
