// Strided products C = alpha·A·B (+ bias) (+ C) (→ GELU) over a [batch1, batch2] grid of matrices, every operand
// addressed by element strides: the kernel that matmul() and the attention products run. Which kernel runs is
// matmul_select.ts's choice; this file encodes it: the generic strided kernel, a generated register tile
// (matmul_fast.ts), or split-K (matmul_splitk.ts).
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import type { Tensor } from '../tensor/tensor.js';
import type { MatrixLayout, StridedMatmulArgs } from './matmul_layout.js';
import { empty } from './kernel.js';
import {
  EPILOGUE_BINDINGS,
  MATMUL_FAST,
  fastKernelParams,
  wgSize,
  type FastConfig,
  type FastEpilogue,
} from './matmul_fast.js';
import { MATMUL_TILED, tiledParams, type TiledConfig } from './matmul_tiled.js';
import { MATMUL_SGMAT, sgmatBlock, sgmatParams, type SgmatConfig } from './matmul_sgmat.js';
import { planMatmul, type OperandLayout } from './matmul_select.js';
import { splitKLayouts } from './matmul_splitk.js';
import { columnSums } from './reduce.js';
import { MATMUL_WGSL } from './sources.js';

export type { MatrixLayout, StridedMatmulArgs } from './matmul_layout.js';

/** The generic strided kernel (any strides, f32 only): 8×8 workgroups of 4×4 register blocks. */
const MATMUL = defineKernel({
  name: 'matmul',
  source: MATMUL_WGSL,
  bindings: {
    a: 'read',
    b: 'read',
    ...EPILOGUE_BINDINGS,
  },
  uniforms: {
    m: 'u32',
    n: 'u32',
    k: 'u32',
    batch2: 'u32',
    a_b1: 'u32',
    a_b2: 'u32',
    a_m: 'u32',
    a_k: 'u32',
    b_b1: 'u32',
    b_b2: 'u32',
    b_k: 'u32',
    b_n: 'u32',
    c_b1: 'u32',
    c_b2: 'u32',
    c_m: 'u32',
    c_n: 'u32',
    alpha: 'f32',
    has_bias: 'u32',
    accumulate: 'u32',
    act: 'u32',
    store_pre: 'u32',
  },
});

/** C = alpha·A·B (+ bias) (+ C) over a [batch1, batch2] grid of matrices, every operand strided. No autograd. */
export function stridedMatmul(args: StridedMatmulArgs): void {
  const { c, m, n, gelu } = args;
  if (args.aLayout.offset || args.bLayout.offset || args.cLayout.offset)
    throw new Error('stridedMatmul: offsets are not supported');
  if (!c && !gelu) throw new Error('stridedMatmul: no output (c is null without a GELU epilogue)');
  if (m === 0 || n === 0) return;
  const plan = planMatmul(args);
  if (plan.kind === 'splitk') splitKMatmul(args, plan.chunks);
  else if (plan.kind === 'fast') fastMatmul(args, plan.layout, plan.config);
  else if (plan.kind === 'tiled') tiledMatmul(args, plan.layout, plan.config);
  else if (plan.kind === 'sgmat') sgmatMatmul(args, plan.layout, plan.config);
  else genericMatmul(args);
}

/** The bindings and epilogue flags every kernel shares (unused outputs left out: placeholders are bound). */
function common(args: StridedMatmulArgs) {
  return {
    bindings: { bias: args.bias?.binding, c: args.c?.binding, act_out: args.gelu?.binding },
    flags: {
      alpha: args.alpha ?? 1,
      has_bias: args.bias ? 1 : 0,
      accumulate: args.accumulate ? 1 : 0,
      act: args.gelu ? 1 : 0,
      store_pre: args.c ? 1 : 0,
    },
  };
}

function genericMatmul(args: StridedMatmulArgs): void {
  const { a, b, m, n, k, batch1, batch2, aLayout: al, bLayout: bl, cLayout: cl } = args;
  const { bindings, flags } = common(args);
  runtime().dispatch(MATMUL, {
    bindings: { a: a.binding, b: b.binding, ...bindings },
    uniforms: {
      m,
      n,
      k,
      batch2,
      a_b1: al.batch1,
      a_b2: al.batch2,
      a_m: al.row,
      a_k: al.col,
      b_b1: bl.batch1,
      b_b2: bl.batch2,
      b_k: bl.row,
      b_n: bl.col,
      c_b1: cl.batch1,
      c_b2: cl.batch2,
      c_m: cl.row,
      c_n: cl.col,
      ...flags,
    },
    grid: [Math.ceil(n / 32), Math.ceil(m / 32), batch1 * batch2],
  });
}

/** The epilogue a generated kernel bakes in for this product. */
function epilogueOf(args: StridedMatmulArgs, fl: OperandLayout): FastEpilogue {
  const cl = args.cLayout;
  return {
    bias: !!args.bias,
    accumulate: !!args.accumulate,
    gelu: !!args.gelu,
    storePre: !!args.c,
    vecC: args.n % 4 === 0 && fl.ldc % 4 === 0 && cl.batch1 % 4 === 0 && cl.batch2 % 4 === 0,
  };
}

/** The uniforms the generated kernels share (shapes, batch strides, leading dimensions, epilogue flags). */
function generatedUniforms(args: StridedMatmulArgs, fl: OperandLayout) {
  const { m, n, k, batch2, aLayout: al, bLayout: bl, cLayout: cl } = args;
  return {
    m,
    n,
    k,
    batch2,
    a_b1: al.batch1,
    a_b2: al.batch2,
    lda: fl.lda,
    b_b1: bl.batch1,
    b_b2: bl.batch2,
    ldb: fl.ldb,
    c_b1: cl.batch1,
    c_b2: cl.batch2,
    ldc: fl.ldc,
    ...common(args).flags,
  };
}

/** A generated register tile; operands marked texA / texB are read through texture views made for this dispatch. */
function fastMatmul(args: StridedMatmulArgs, fl: OperandLayout, config: FastConfig): void {
  const { a, b, m, n, batch1, batch2 } = args;
  const params = fastKernelParams(fl, config, epilogueOf(args, fl));
  const rt = runtime();
  const aIn = fl.texA ? rt.textureView(a.binding) : a.binding;
  const bIn = fl.texB ? rt.textureView(b.binding) : b.binding;
  try {
    rt.dispatch(MATMUL_FAST, {
      params,
      bindings: { a: aIn, b: bIn, ...common(args).bindings },
      uniforms: generatedUniforms(args, fl),
      grid: [Math.ceil(n / config.cols), Math.ceil(m / (wgSize(config) * config.rows)), batch1 * batch2],
    });
  } finally {
    // Queue order keeps a released view's next copy after this dispatch.
    for (const v of [aIn, bIn]) if ('view' in v) rt.releaseTextureView(v);
  }
}

/** A workgroup-memory tiled product (matmul_tiled.ts): a BM × BN block of C per workgroup. */
function tiledMatmul(args: StridedMatmulArgs, fl: OperandLayout, config: TiledConfig): void {
  runtime().dispatch(MATMUL_TILED, {
    params: tiledParams(fl, config, epilogueOf(args, fl)),
    bindings: { a: args.a.binding, b: args.b.binding, ...common(args).bindings },
    uniforms: generatedUniforms(args, fl),
    grid: [Math.ceil(args.n / config.bn), Math.ceil(args.m / config.bm), args.batch1 * args.batch2],
  });
}

/** A subgroup-matrix product (matmul_sgmat.ts: f16 operands on the matrix units); C is bound as scalar f32. */
function sgmatMatmul(args: StridedMatmulArgs, fl: OperandLayout, config: SgmatConfig): void {
  const { bm, bn } = sgmatBlock(config);
  runtime().dispatch(MATMUL_SGMAT, {
    params: sgmatParams(fl, config, epilogueOf(args, fl), runtime().profile.subgroupMaxSize),
    bindings: { a: args.a.binding, b: args.b.binding, ...common(args).bindings },
    uniforms: generatedUniforms(args, fl),
    grid: [Math.ceil(args.n / bn), Math.ceil(args.m / bm), args.batch1 * args.batch2],
  });
}

/** C = Σ over `s` K-chunks of the chunk products (matmul_splitk.ts), computed as one batched product then summed. */
function splitKMatmul(args: StridedMatmulArgs, s: number): void {
  const { aLayout, bLayout, cLayout, kc } = splitKLayouts(args, s);
  const partials = empty([s, args.m * args.n]);
  stridedMatmul({
    a: args.a,
    aLayout,
    b: args.b,
    bLayout,
    c: partials,
    cLayout,
    m: args.m,
    n: args.n,
    k: kc,
    batch1: 1,
    batch2: s,
    alpha: args.alpha,
  });
  columnSums(partials, s, args.m * args.n, args.c!);
  partials.dispose();
}
