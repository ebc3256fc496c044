// Numerical faults in training: a loss, gradient norm or weight that is NaN or ±Inf stops the run with an error
// naming the step, instead of training on (and saving) garbage. Checked only where values are read back anyway
// (logging steps, evaluations, checkpoints and the final save), so a step never waits on the GPU for it.

/** Training hit a non-finite value at `step`; nothing non-finite was saved. */
export class NonFiniteError extends Error {
  override readonly name = 'NonFiniteError';
  constructor(
    readonly step: number,
    detail: string,
  ) {
    super(
      `step ${step}: ${detail}: training stopped (nothing non-finite was saved). The run diverged: try a lower ` +
        'learning_rate, warmup, or max_grad_norm clipping; or the model or data are broken',
    );
  }
}

/** values (e.g. { loss, grad_norm }) read at `step` → throws NonFiniteError naming the ones that are not finite. */
export function checkFinite(step: number, values: Record<string, number | undefined>, context = ''): void {
  const bad = Object.entries(values).filter(([, v]) => v !== undefined && !Number.isFinite(v));
  if (bad.length === 0) return;
  throw new NonFiniteError(step, `${bad.map(([k, v]) => `${k} is ${v}`).join(' and ')}${context}`);
}
