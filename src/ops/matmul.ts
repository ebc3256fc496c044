// matmul(): the op. op(a)·op(b) (+ bias) (→ GELU) with its shapes and backward; the products run as strided products
// (matmul_strided.ts: NN / NT / TN layouts and batched products read in place, no transpose ever materialised),
// whose kernel is chosen in matmul_select.ts and tuned in matmul_autotune.ts.
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { gradEnabled, type Tensor } from '../tensor/tensor.js';
import { autocastDtype } from './autocast.js';
import { cast } from './cast.js';
import { geluBackward } from './elementwise.js';
import { assertFloat, empty } from './kernel.js';
import { stridedMatmul } from './matmul_strided.js';
import { sumToShape } from './reduce.js';

export interface MatmulOptions {
  /** Read A as its transpose: a is [..., K, M]. */
  transA?: boolean;
  /** Read B as its transpose: b is [..., N, K] (a Linear weight [out, in]). */
  transB?: boolean;
  /** [N], added to every row (fused epilogue). */
  bias?: Tensor;
  /** 'gelu': the result is gelu(op(a)·op(b) + bias), fused into the product's epilogue (exact erf GELU). */
  activation?: 'gelu';
}

/** a and b: float32, or float16 where the device has shader-f16 (widened to f32 in the kernel; the result is f32). */
function assertMatmulOperands(a: Tensor, b: Tensor): void {
  for (const [name, t] of [
    ['a', a],
    ['b', b],
  ] as const) {
    t.assertAlive();
    if (t.dtype === 'f32') continue;
    if (t.dtype !== 'f16') throw new Error(`matmul: ${name} must be float32 or float16, got ${t.dtype} [${t.shape}]`);
    if (!runtime().features.has('shader-f16')) {
      throw new Error(
        `matmul: ${name} is float16 [${t.shape}], but this adapter (${runtime().info.description}) lacks the WebGPU feature shader-f16; cast it to 'f32'`,
      );
    }
  }
}

/**
 * op(a) · op(b) (+ bias), optionally through GELU (fused). a and b may be float16 (f32 accumulation, f32 result;
 * their gradients come back float32).
 * a: [..., M, K] ([..., K, M] with transA); b: [K, N] or [..., K, N] with the same batch dims ([N, K] / [..., N, K]
 * with transB) → [..., M, N]. A 2-D b is shared by every batch (a Linear layer).
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  assertMatmulOperands(a, b);
  if (autocastDtype() === 'f16' && (a.dtype === 'f32' || b.dtype === 'f32')) return autocastMatmul(a, b, options);
  if (options.bias) assertFloat('matmul bias', options.bias);
  const { transA = false, transB = false, bias, activation } = options;
  if (activation !== undefined && activation !== 'gelu')
    throw new Error(`matmul: activation must be 'gelu' or left out, got '${String(activation)}'`);
  if (a.rank < 2 || b.rank < 2)
    throw new Error(`matmul: operands must be at least 2-D, got [${a.shape}] and [${b.shape}]`);
  // A shared 2-D weight under a batched, untransposed a is one big 2-D product: fold the batch into M.
  if (b.rank === 2 && a.rank > 2 && !transA) {
    const lead = a.shape.slice(0, -1);
    const a2 = a.reshape([-1, a.shape[a.rank - 1]]);
    const out2 = matmul(a2, b, options);
    const out = out2.reshape([...lead, out2.shape[1]]);
    // The views are graph nodes when autograd recorded them (dispose() would cut the graph): the scope frees them.
    if (!out.gradFn) {
      a2.dispose();
      out2.dispose();
    }
    return out;
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (b.rank > 2 && batchA.join() !== batchB.join()) {
    throw new Error(`matmul: batch dims differ: [${a.shape}] and [${b.shape}]`);
  }
  if (b.rank === 2 && a.rank > 2)
    throw new Error('matmul: a transposed batched a with a shared 2-D b is not supported');
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const [kb, n] = transB ? [bc, br] : [br, bc];
  if (k !== kb) {
    throw new Error(
      `matmul: inner dimensions differ: [${a.shape}]${transA ? 'ᵀ' : ''} · [${b.shape}]${transB ? 'ᵀ' : ''} (${k} vs ${kb})`,
    );
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== n))
    throw new Error(`matmul: bias must be [${n}], got [${bias.shape}]`);
  const batch = batchA.reduce((x, y) => x * y, 1);
  const inputs = bias ? [a, b, bias] : [a, b];
  const out = empty([...batchA, m, n]);
  // With GELU, `out` gets gelu(C); C itself (the pre-activation) is stored only when the backward will need it.
  const keepPre = activation && gradEnabled() && inputs.some((t) => t.requiresGrad);
  const pre = activation ? (keepPre ? empty(out.shape) : null) : out;
  stridedMatmul({
    a,
    aLayout: { batch1: 0, batch2: ar * ac, row: transA ? 1 : ac, col: transA ? ac : 1 },
    b,
    bLayout: { batch1: 0, batch2: b.rank > 2 ? br * bc : 0, row: transB ? 1 : bc, col: transB ? bc : 1 },
    c: pre,
    cLayout: { batch1: 0, batch2: m * n, row: n, col: 1 },
    m,
    n,
    k,
    batch1: 1,
    batch2: batch,
    bias,
    gelu: activation ? out : undefined,
  });
  // Both operands f16 (autocast): the backward's products take f16 operands too, dC cast once (f32 accumulation).
  const half = a.dtype === 'f16' && b.dtype === 'f16';
  const y = record(activation ? 'matmul+gelu' : 'matmul', inputs, out, (gy) => {
    const g32 = pre && pre !== out ? geluBackward(pre, gy) : gy; // dC = dY ⊙ gelu'(C)
    const g = half ? cast(g32, 'f16') : g32;
    const grads: (Tensor | null)[] = [
      a.requiresGrad
        ? transA
          ? matmul(b, g, { transA: transB, transB: true })
          : matmul(g, b, { transB: !transB })
        : null,
      b.requiresGrad
        ? transB
          ? matmul(g, a, { transA: true, transB: transA })
          : matmul(a, g, { transA: !transA })
        : null,
    ];
    if (bias) grads.push(bias.requiresGrad ? sumToShape(g32, [n]) : null);
    if (g !== g32) g.dispose();
    if (g32 !== gy) g32.dispose();
    return grads;
  });
  // The pre-activation lives as long as the graph needs it: released with the output's scope.
  if (pre && pre !== out && !y.gradFn) pre.dispose();
  return y;
}

/**
 * The product under autocast('f16'): f32 operands cast to f16 (recorded casts: their gradients reach the f32 tensors
 * as f32), then the f16 product (f32 accumulation and result).
 */
function autocastMatmul(a: Tensor, b: Tensor, options: MatmulOptions): Tensor {
  const a16 = cast(a, 'f16');
  const b16 = cast(b, 'f16');
  const out = matmul(a16, b16, options);
  // Casts recorded in the graph belong to the caller's scope; unrecorded ones are freed now.
  if (!out.gradFn)
    for (const [x, x16] of [
      [a, a16],
      [b, b16],
    ])
      if (x16 !== x) x16.dispose();
  return out;
}
