// Split-K for products with a long inner dimension and a small output (the weight gradients dW = dYᵀ·X, K = batch ·
// tokens): K is cut into S equal chunks computed as one batched product of S partial C's ([S, M, N], the chunk index
// as batch, operands offset by Kc along K through their batch stride), then summed over S in a fixed order (the
// two-stage column sums: deterministic). More workgroups for GPUs whose M×N tiles alone cannot fill the device;
// an autotuner choice ('splitk4', 'splitk8'), never a default.
import { runtime } from '../runtime/device.js';
import type { MatrixLayout, StridedMatmulArgs } from './matmul_layout.js';

export const SPLIT_K_CHOICES = ['splitk4', 'splitk8'] as const;

/** The chunk count a choice id names, or 0 when it is not a split-K choice. */
export function splitKCount(choice: string | undefined): number {
  return choice === 'splitk4' ? 4 : choice === 'splitk8' ? 8 : 0;
}

/**
 * Whether this product can be split into `s` chunks: one matrix, no bias / accumulate / GELU epilogue, a contiguous
 * C with N % 4 == 0 (the vec4 column sums), K a multiple of 4·s with chunks of at least 64, and partials that fit
 * a binding and the dispatch grid.
 */
export function splitKFits(args: StridedMatmulArgs, s: number): boolean {
  const { m, n, k, cLayout: cl } = args;
  const limits = runtime().limits;
  return (
    args.batch1 * args.batch2 === 1 &&
    !args.bias &&
    !args.accumulate &&
    !args.gelu &&
    args.c !== null &&
    cl.row === n &&
    cl.col === 1 &&
    n % 4 === 0 &&
    k % (4 * s) === 0 &&
    k / s >= 64 &&
    s * m * n * 4 <= limits.maxStorageBufferBindingSize &&
    Math.ceil((m * n) / 4 / 64) <= limits.maxComputeWorkgroupsPerDimension
  );
}

/** The split-K choices this product can take. */
export function splitKChoices(args: StridedMatmulArgs): string[] {
  return SPLIT_K_CHOICES.filter((id) => splitKFits(args, splitKCount(id)));
}

/** Layouts of the chunk product: chunk z reads A and B offset by z·Kc along K and writes partial C z ([S, M, N]). */
export function splitKLayouts(
  args: StridedMatmulArgs,
  s: number,
): { aLayout: MatrixLayout; bLayout: MatrixLayout; cLayout: MatrixLayout; kc: number } {
  const kc = args.k / s;
  // A(i, kk) sits at i·row + kk·col, B(kk, j) at kk·row + j·col: a step along K is A's col stride and B's row stride.
  return {
    aLayout: { batch1: 0, batch2: kc * args.aLayout.col, row: args.aLayout.row, col: args.aLayout.col },
    bLayout: { batch1: 0, batch2: kc * args.bLayout.row, row: args.bLayout.row, col: args.bLayout.col },
    cLayout: { batch1: 0, batch2: args.m * args.n, row: args.n, col: 1 },
    kc,
  };
}
