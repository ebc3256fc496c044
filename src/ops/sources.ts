// WGSL sources assembled from shared function libraries (prepended text), one place for every op that dispatches them.
import geluMathWgsl from '../../shaders/gelu_math.wgsl';
import geluVec4Wgsl from '../../shaders/gelu_vec4.wgsl';
import matmulWgsl from '../../shaders/matmul.wgsl';
import unaryWgsl from '../../shaders/unary.wgsl';
import unaryBackwardWgsl from '../../shaders/unary_backward.wgsl';

/** Exact-erf GELU functions (erf_approx, gelu, gelu_grad and their vec4 forms). */
export const GELU_MATH_WGSL = geluMathWgsl;
export const UNARY_WGSL = geluMathWgsl + unaryWgsl;
export const UNARY_BACKWARD_WGSL = geluMathWgsl + unaryBackwardWgsl;
export const GELU_VEC4_WGSL = geluMathWgsl + geluVec4Wgsl;
/** The generic strided matmul (GELU epilogue included). */
export const MATMUL_WGSL = matmulWgsl + geluMathWgsl;
