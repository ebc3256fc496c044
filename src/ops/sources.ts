// WGSL sources assembled from shared function libraries (prepended text), and the descriptors of the kernels that
// several ops dispatch, with their op codes.
import geluMathWgsl from '../../shaders/gelu_math.wgsl';
import geluVec4Wgsl from '../../shaders/gelu_vec4.wgsl';
import matmulWgsl from '../../shaders/matmul.wgsl';
import unaryWgsl from '../../shaders/unary.wgsl';
import unaryBackwardWgsl from '../../shaders/unary_backward.wgsl';
import { defineKernel } from '../runtime/kernel_def.js';

/** Exact-erf GELU functions (erf_approx, gelu, gelu_grad and their vec4 forms). */
export const GELU_MATH_WGSL = geluMathWgsl;
export const GELU_VEC4_WGSL = geluMathWgsl + geluVec4Wgsl;
/** The generic strided matmul (GELU epilogue included). */
export const MATMUL_WGSL = matmulWgsl + geluMathWgsl;

/** The functions of unary.wgsl and unary_backward.wgsl (their OP override); affine is y = a·x + b. */
export const UNARY_OP = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  rsqrt: 4,
  tanh: 5,
  relu: 6,
  gelu: 7,
  affine: 8,
  copy: 9,
  sigmoid: 10,
  square: 11,
} as const;
export type UnaryOp = (typeof UNARY_OP)[keyof typeof UNARY_OP];

/** y[i] = f(x[i]) (f = UNARY_OP), 1-D over n. */
export const UNARY = defineKernel({
  name: 'unary',
  source: geluMathWgsl + unaryWgsl,
  bindings: { x: 'read', y: 'read_write' },
  uniforms: { n: 'u32', a: 'f32', b: 'f32' },
  constants: (p: { op: UnaryOp }) => ({ OP: p.op }),
});

/** dx[i] = dy[i] · f'(saved[i]) for the functions of UNARY (saved: x or y, per unary_backward.wgsl), 1-D over n. */
export const UNARY_BACKWARD = defineKernel({
  name: 'unary_backward',
  source: geluMathWgsl + unaryBackwardWgsl,
  bindings: { dy: 'read', saved: 'read', dx: 'read_write' },
  uniforms: { n: 'u32' },
  constants: (p: { op: UnaryOp }) => ({ OP: p.op }),
});
