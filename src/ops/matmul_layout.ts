// The description of one strided matrix product, shared by the matmul op (matmul.ts) and its kernel families
// (matmul_fast.ts, matmul_splitk.ts): a module of its own so that none of them imports another for its types.
import type { Tensor } from '../tensor/tensor.js';

/** Element strides of one operand: two batch levels, then rows and columns of the logical matrix. */
export interface MatrixLayout {
  offset?: number;
  batch1: number;
  batch2: number;
  row: number;
  col: number;
}

export interface StridedMatmulArgs {
  a: Tensor;
  aLayout: MatrixLayout;
  b: Tensor;
  bLayout: MatrixLayout;
  /** C = alpha·A·B (+ bias) (+ C); null only with a GELU epilogue whose pre-activation is not kept. */
  c: Tensor | null;
  cLayout: MatrixLayout;
  m: number;
  n: number;
  k: number;
  batch1: number;
  batch2: number;
  alpha?: number;
  bias?: Tensor;
  accumulate?: boolean;
  /** Fused GELU epilogue: gelu(C) written here (C's layout); C is stored as well when `c` is given. */
  gelu?: Tensor;
}
