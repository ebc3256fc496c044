// Matrix products. One strided kernel serves NN, NT and TN layouts, batched products and attention heads read
// in place from [B, T, H·D] rows, so no transpose is ever materialised; bias is a fused epilogue.
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { Uniforms } from '../runtime/runtime.js';
import { gradEnabled, type Tensor } from '../tensor/tensor.js';
import { assertFloat, dummyBinding, empty, generatedKernel, kernel } from './kernel.js';
import { autotuner, shapeClass, type TuneResult } from '../runtime/autotune.js';
import { configFits, configId, configName, fastLayout, generateFastMatmul, layoutId, wgSize, type FastConfig, type FastEpilogue, type FastLayout } from './matmul_fast.js';
import { columnSums, sumToShape } from './reduce.js';
import { splitKChoices, splitKCount, splitKFits, splitKLayouts } from './matmul_splitk.js';
import { geluBackward } from './elementwise.js';
import { MATMUL_WGSL } from './sources.js';
import type { MatrixLayout, StridedMatmulArgs } from './matmul_layout.js';

export type { MatrixLayout, StridedMatmulArgs } from './matmul_layout.js';

/** Kernel choice for one strided product: 'strided' (the generic kernel) or a fast-path config id. */
export type MatmulChoice = 'strided' | string;

/** The fast-path configs worth trying on this device (subgroup sharing needs subgroups of at least 8 lanes). */
function fastConfigs(layout: FastLayout): FastConfig[] {
  const rt = runtime();
  const minSg = (rt.device as unknown as { adapterInfo?: { subgroupMinSize?: number } }).adapterInfo?.subgroupMinSize ?? 0;
  const sg = rt.features.has('subgroups') && minSg >= 8;
  const all: FastConfig[] = [
    ...(sg ? [
      { share: 'subgroup', rows: 2, cols: 16 }, { share: 'subgroup', rows: 4, cols: 16 },
      { share: 'subgroup', rows: 4, cols: 16, wg: 32 }, { share: 'subgroup', rows: 4, cols: 32 }, { share: 'subgroup', rows: 4, cols: 32, wg: 32 },
      // Broadcasts interleaved with their FMAs (fewer live values): taller blocks without the spills.
      { share: 'subgroup', rows: 4, cols: 32, interleave: true }, { share: 'subgroup', rows: 4, cols: 32, wg: 32, interleave: true },
      { share: 'subgroup', rows: 8, cols: 16, wg: 32, interleave: true },
      // One row per lane, 8 rows per workgroup: short M (a batch's [CLS] rows, one short sequence) without idle rows.
      { share: 'subgroup', rows: 1, cols: 32, wg: 8, interleave: true },
      // 16-lane subgroups (lavapipe at 512 bits): the block spread over all 16 lanes, so each lane loads half as much.
      ...(minSg >= 16 ? [
        // (Taller tiles, 8 × 64 and 8 × 32, measured no faster at the linear products: bench/README.md.)
        { share: 'subgroup', rows: 4, cols: 64, interleave: true, lanes: 16 }, { share: 'subgroup', rows: 4, cols: 64, wg: 32, interleave: true, lanes: 16 },
      ] : []),
    ] as FastConfig[] : []),
    { share: 'plain', rows: 4, cols: 8 },
  ];
  return all.filter((c) => configFits(layout, c));
}

/**
 * Untuned preferences, best first, by adapter kind (measured at DistilBERT's shapes; bench/results): on lavapipe
 * every non-uniform load is a per-lane loop, so loading B once per subgroup with interleaved broadcasts wins
 * (r4c32i ≈ 1.3-1.5× r2c16), and with 16-lane subgroups (lavapipe at 512 bits) spreading the block over all 16
 * lanes (r4c64il16: a training step's products 1.3× faster than r4c32i at 256 bits); on NVIDIA (H100) the plain
 * register tile wins by 1.5-2.7×. The 32-invocation variants serve short M (attention heads: 128 rows) without idle
 * lanes.
 */
const PREFERRED = {
  software: ['subgroup_r4c64il16', 'subgroup_r4c64w32il16', 'subgroup_r4c32i', 'subgroup_r4c32w32i', 'subgroup_r2c16', 'subgroup_r1c32w8i', 'plain_r4c8'],
  hardware: ['plain_r4c8', 'subgroup_r2c16'],
};

/**
 * Software adapters: a config's relative cost per output element, from what limits lavapipe (bench/README.md): per
 * step of 4 along K a lane spends ~80 cycles per vec4 load (its A rows; its share of the B block, or every B vec4
 * when not shared), a cycle per FMA and per broadcast.
 */
function softwareCostPerElement(c: FastConfig): number {
  const sg = c.share === 'subgroup';
  const loads = c.rows + (sg ? c.cols / (c.lanes ?? 8) : c.cols);
  return (80 * loads + 4 * c.rows * c.cols + (sg ? 4 * c.cols : 0)) / (c.rows * c.cols);
}

/**
 * The untuned choice. Software: the preferred config with the least estimated cost for M rows, rows past M computed
 * and dropped included (a workgroup spans wg·rows rows: 256 for r4c32i, 8 for r1c32w8i); ties go to the earlier
 * preference. Hardware: the first preferred config whose workgroup spans at most M rows. Else any that fits.
 */
function defaultChoice(configs: FastConfig[], m: number): MatmulChoice {
  const byId = new Map(configs.map((c) => [configId(c), c]));
  const software = runtime().info.isSoftware;
  const preferred = PREFERRED[software ? 'software' : 'hardware'].filter((id) => byId.has(id));
  const span = (id: string): number => wgSize(byId.get(id)!) * byId.get(id)!.rows; // rows one workgroup covers
  if (software && preferred.length) {
    const cost = (id: string): number => Math.ceil(m / span(id)) * span(id) * softwareCostPerElement(byId.get(id)!);
    return preferred.reduce((best, id) => (cost(id) < cost(best) ? id : best));
  }
  const order = [...preferred, ...byId.keys()];
  const id = order.find((i) => span(i) <= m) ?? order[0];
  return id ?? 'strided';
}

/** The choice an untuned product of this layout with M rows gets on this device (tests, benches). */
export function untunedMatmulChoice(layout: FastLayout, m: number): MatmulChoice {
  return defaultChoice(fastConfigs(layout), m);
}

/** Every kernel choice this device offers for strided products ('strided' first), for tests and benches. */
export function matmulKernelChoices(): MatmulChoice[] {
  const anyLayout: FastLayout = { a: 'col', b: 'nn', vecA: true, vecB: true };
  const rowLayout: FastLayout = { a: 'row', b: 'nn', vecA: true, vecB: true };
  return ['strided', ...new Set([...fastConfigs(rowLayout), ...fastConfigs(anyLayout)].map(configId))];
}

function tuneKey(layout: FastLayout, m: number, n: number, k: number, batch: number): string {
  return autotuner.key(runtime(), 'matmul', `${layoutId(layout)}|${shapeClass(m, n, k, batch)}`);
}

export type OperandReads = 'auto' | 'texture' | 'buffer';
let operandReads: OperandReads = 'auto';

/**
 * How the fast kernels read vec4 f32 operands: 'texture' through linear texture views (texture_view.ts: a copy of
 * the operand, then loads that cost about half a storage-buffer load on lavapipe), 'buffer' straight from the
 * storage buffer, 'auto' (default) textures on software adapters, where it was measured to pay (the x·Wᵀ product
 * 1.6× faster on lavapipe), buffers on GPUs (not measured there). Textures need WGSL's
 * readonly_and_readwrite_storage_textures; without it every mode reads buffers.
 */
export function setMatmulOperandReads(mode: OperandReads): void {
  operandReads = mode;
}

/** The layout with the operands that will be read through texture views marked (texA / texB). */
function withTextureReads<L extends FastLayout>(l: L, a: Tensor, b: Tensor): L {
  const rt = runtime();
  const pool = rt.textures;
  if (!pool || operandReads === 'buffer' || (operandReads === 'auto' && !rt.info.isSoftware)) return l;
  const fits = (t: Tensor): boolean => Math.ceil(t.binding.size / 16) <= pool.capacity; // else buffer reads
  return { ...l, texA: l.vecA && !l.halfA && fits(a), texB: l.vecB && !l.halfB && fits(b) };
}

/** Forces a kernel for every strided product (tests and autotuning); undefined restores the tuned / default choice. */
let forced: MatmulChoice | undefined;
export function forceMatmulKernel(choice: MatmulChoice | undefined): void {
  forced = choice;
}

/** C = alpha·A·B (+ bias) (+ C) over a [batch1, batch2] grid of matrices, every operand strided. No autograd. */
export function stridedMatmul(args: StridedMatmulArgs): void {
  const { a, b, c, m, n, k, batch1, batch2, gelu } = args;
  if (args.aLayout.offset || args.bLayout.offset || args.cLayout.offset) throw new Error('stridedMatmul: offsets are not supported');
  if (!c && !gelu) throw new Error('stridedMatmul: no output (c is null without a GELU epilogue)');
  if (m === 0 || n === 0) return;
  const bias = args.bias ? args.bias.binding : dummyBinding();
  const outputs = [c ? c.binding : dummyBinding('write'), gelu ? gelu.binding : dummyBinding('write')];
  const epilogue = [gelu ? 1 : 0, c ? 1 : 0]; // act, store_pre
  const half = a.dtype === 'f16' || b.dtype === 'f16';
  const hl = k > 0 ? halfLayout(fastLayout(m, n, k, args.aLayout, args.bLayout, args.cLayout), a, b) : undefined;
  if (half && !hl) throw new Error(`stridedMatmul: f16 operands need unit inner strides and K > 0 (the generic kernel is f32 only)`);
  const fl = hl && withTextureReads(hl, a, b);
  if (fl) {
    const configs = fastConfigs(fl);
    const key = tuneKey(fl, m, n, k, batch1 * batch2);
    keyRecorder?.set(key, { layout: fl, splits: splitKChoices(args) });
    let want = forced ?? forcedByKey.get(key) ?? autotuner.choice(key) ?? defaultChoice(configs, m);
    if (half && want === 'strided') want = defaultChoice(configs, m); // the generic kernel reads f32 only
    const chunks = splitKCount(want);
    if (chunks && splitKFits(args, chunks)) {
      splitKMatmul(args, chunks);
      return;
    }
    // A choice this device no longer offers (e.g. a stale cache entry) falls back to the default, never to 'strided'.
    const config = configs.find((cf) => configId(cf) === want) ??
      (want === 'strided' ? undefined : configs.find((cf) => configId(cf) === defaultChoice(configs, m)));
    if (config) {
      const u = new Uniforms()
        .u32(m, n, k, batch2)
        .u32(args.aLayout.batch1, args.aLayout.batch2, fl.lda, args.bLayout.batch1)
        .u32(args.bLayout.batch2, fl.ldb, args.cLayout.batch1, args.cLayout.batch2)
        .u32(fl.ldc).f32(args.alpha ?? 1).u32(args.bias ? 1 : 0, args.accumulate ? 1 : 0)
        .u32(...epilogue);
      const cl = args.cLayout;
      const epi: FastEpilogue = {
        bias: !!args.bias, accumulate: !!args.accumulate, gelu: !!gelu, storePre: !!c,
        vecC: n % 4 === 0 && fl.ldc % 4 === 0 && cl.batch1 % 4 === 0 && cl.batch2 % 4 === 0,
      };
      const name = configName(fl, config, epi);
      const rt = runtime();
      const aIn = fl.texA ? rt.textureView(a.binding) : a.binding;
      const bIn = fl.texB ? rt.textureView(b.binding) : b.binding;
      try {
        rt.dispatch(generatedKernel(name, () => generateFastMatmul(fl, config, epi)), [aIn, bIn, bias, ...outputs], u.buffer, [
          Math.ceil(n / config.cols),
          Math.ceil(m / (wgSize(config) * config.rows)),
          batch1 * batch2,
        ]);
      } finally {
        // Queue order keeps a released view's next copy after this dispatch.
        for (const v of [aIn, bIn]) if ('view' in v) rt.releaseTextureView(v);
      }
      return;
    }
  }
  const L = (l: MatrixLayout): number[] => [l.batch1, l.batch2, l.row, l.col];
  const u = new Uniforms()
    .u32(m, n, k, batch2)
    .u32(...L(args.aLayout), ...L(args.bLayout), ...L(args.cLayout))
    .f32(args.alpha ?? 1)
    .u32(args.bias ? 1 : 0, args.accumulate ? 1 : 0, ...epilogue);
  runtime().dispatch(kernel('matmul', MATMUL_WGSL), [a.binding, b.binding, bias, ...outputs], u.buffer, [
    Math.ceil(n / 32),
    Math.ceil(m / 32),
    batch1 * batch2,
  ]);
}

/** C = Σ over `s` K-chunks of the chunk products (matmul_splitk.ts), computed as one batched product then summed. */
function splitKMatmul(args: StridedMatmulArgs, s: number): void {
  const { aLayout, bLayout, cLayout, kc } = splitKLayouts(args, s);
  const partials = empty([s, args.m * args.n]);
  stridedMatmul({ a: args.a, aLayout, b: args.b, bLayout, c: partials, cLayout, m: args.m, n: args.n, k: kc, batch1: 1, batch2: s, alpha: args.alpha });
  columnSums(partials, s, args.m * args.n, args.c!);
  partials.dispose();
}

/** The fast layout with the operands' storage types (f16 operands are read as halves, widened to f32). */
function halfLayout<L extends FastLayout>(l: L | undefined, a: Tensor, b: Tensor): L | undefined {
  return l && (a.dtype === 'f16' || b.dtype === 'f16') ? { ...l, halfA: a.dtype === 'f16', halfB: b.dtype === 'f16' } : l;
}

let keyRecorder: Map<string, { layout: FastLayout; splits: string[] }> | undefined;
const forcedByKey = new Map<string, MatmulChoice>();

/**
 * Autotunes every strided product that `run` encodes (a matmul, an attention op, a backward…): each product's
 * (layout, shape class) key gets the kernel choice that made `run` fastest, tried one key at a time. `run` returns
 * tensors to dispose. repeats / minMs: rounds per key (Autotuner.tune).
 */
export async function autotuneMatmulOp(run: () => (Tensor | null | undefined)[] | void, repeats = 2, skipKnown = false, minMs = 0): Promise<TuneResult[]> {
  const rt = runtime();
  const recorded = (keyRecorder = new Map<string, { layout: FastLayout; splits: string[] }>());
  try {
    for (const t of run() ?? []) t?.dispose();
  } finally {
    keyRecorder = undefined;
  }
  const keys = [...recorded.keys()].filter((k) => !(skipKnown && autotuner.choice(k) !== undefined));
  const results: TuneResult[] = [];
  for (const key of keys) {
    const { layout, splits } = recorded.get(key)!;
    const ids = [...(layout.halfA || layout.halfB ? [] : ['strided']), ...fastConfigs(layout).map(configId), ...splits];
    const candidates = ids.map((id) => ({
      id,
      run: () => {
        forcedByKey.set(key, id);
        try {
          for (const t of run() ?? []) t?.dispose();
        } finally {
          forcedByKey.delete(key);
        }
      },
    }));
    results.push(await autotuner.tune(rt, key, candidates, repeats, minMs));
  }
  return results;
}

/**
 * Autotunes the kernel of one strided product on this adapter (times the generic kernel and every fitting fast
 * config, records the fastest for the product's layout and shape class). Inputs must stay alive meanwhile; `c` is
 * overwritten.
 */
export async function autotuneStridedMatmul(args: StridedMatmulArgs, repeats = 2): Promise<TuneResult | undefined> {
  const hl = halfLayout(fastLayout(args.m, args.n, args.k, args.aLayout, args.bLayout, args.cLayout), args.a, args.b);
  if (!hl || args.k === 0) return undefined;
  const fl = withTextureReads(hl, args.a, args.b); // the key stridedMatmul will look up
  const ids = [...(fl.halfA || fl.halfB ? [] : ['strided']), ...fastConfigs(fl).map(configId), ...splitKChoices({ ...args, accumulate: false })];
  const key = tuneKey(fl, args.m, args.n, args.k, args.batch1 * args.batch2);
  const prev = forced;
  try {
    const candidates = ids.map((id) => ({ id, run: () => { forced = id; stridedMatmul({ ...args, accumulate: false }); } }));
    return await autotuner.tune(runtime(), key, candidates, repeats);
  } finally {
    forced = prev;
  }
}

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
  for (const [name, t] of [['a', a], ['b', b]] as const) {
    t.assertAlive();
    if (t.dtype === 'f32') continue;
    if (t.dtype !== 'f16') throw new Error(`matmul: ${name} must be float32 or float16, got ${t.dtype} [${t.shape}]`);
    if (!runtime().features.has('shader-f16')) {
      throw new Error(`matmul: ${name} is float16 [${t.shape}], but this adapter (${runtime().info.description}) lacks the WebGPU feature shader-f16; cast it to 'f32'`);
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
  if (options.bias) assertFloat('matmul bias', options.bias);
  const { transA = false, transB = false, bias, activation } = options;
  if (activation !== undefined && activation !== 'gelu') throw new Error(`matmul: activation must be 'gelu' or left out, got '${String(activation)}'`);
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul: operands must be at least 2-D, got [${a.shape}] and [${b.shape}]`);
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
  if (b.rank === 2 && a.rank > 2) throw new Error('matmul: a transposed batched a with a shared 2-D b is not supported');
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const [kb, n] = transB ? [bc, br] : [br, bc];
  if (k !== kb) {
    throw new Error(`matmul: inner dimensions differ: [${a.shape}]${transA ? 'ᵀ' : ''} · [${b.shape}]${transB ? 'ᵀ' : ''} (${k} vs ${kb})`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== n)) throw new Error(`matmul: bias must be [${n}], got [${bias.shape}]`);
  const batch = batchA.reduce((x, y) => x * y, 1);
  const inputs = bias ? [a, b, bias] : [a, b];
  const out = empty([...batchA, m, n]);
  // With GELU, `out` gets gelu(C); C itself (the pre-activation) is stored only when the backward will need it.
  const keepPre = activation && gradEnabled() && inputs.some((t) => t.requiresGrad);
  const pre = activation ? (keepPre ? empty(out.shape) : null) : out;
  stridedMatmul({
    a, aLayout: { batch1: 0, batch2: ar * ac, row: transA ? 1 : ac, col: transA ? ac : 1 },
    b, bLayout: { batch1: 0, batch2: b.rank > 2 ? br * bc : 0, row: transB ? 1 : bc, col: transB ? bc : 1 },
    c: pre, cLayout: { batch1: 0, batch2: m * n, row: n, col: 1 },
    m, n, k, batch1: 1, batch2: batch, bias, gelu: activation ? out : undefined,
  });
  const y = record(activation ? 'matmul+gelu' : 'matmul', inputs, out, (gy) => {
    const g = pre && pre !== out ? geluBackward(pre, gy) : gy; // dC = dY ⊙ gelu'(C)
    const grads: (Tensor | null)[] = [
      a.requiresGrad ? (transA ? matmul(b, g, { transA: transB, transB: true }) : matmul(g, b, { transB: !transB })) : null,
      b.requiresGrad ? (transB ? matmul(g, a, { transA: true, transB: transA }) : matmul(a, g, { transA: !transA })) : null,
    ];
    if (bias) grads.push(bias.requiresGrad ? sumToShape(g, [n]) : null);
    if (g !== gy) g.dispose();
    return grads;
  });
  // The pre-activation lives as long as the graph needs it: released with the output's scope.
  if (pre && pre !== out && !y.gradFn) pre.dispose();
  return y;
}
