// Kernel selection for strided products: the fast-path configs this device offers, the untuned default (settings():
// a preference list and a rule, with lavapipe's cost model), the autotuner's choice, a forced choice
// (settings().matmulKernel), texture or buffer operand reads, f16 operands, and the hooks autotuning drives
// (matmul_autotune.ts). Measurements behind the defaults: bench/README.md (*Autotuning*, *What limits lavapipe*).
import { autotuner, shapeClass } from '../runtime/autotune.js';
import { runtime } from '../runtime/device.js';
import { settings } from '../runtime/settings.js';
import type { Tensor } from '../tensor/tensor.js';
import { configFits, configId, fastLayout, layoutId, wgSize, type FastConfig, type FastLayout } from './matmul_fast.js';
import { splitKChoices, splitKCount, splitKFits } from './matmul_splitk.js';
import { TILED_CONFIGS, tiledFits, tiledId, type TiledConfig } from './matmul_tiled.js';
import { sgmatBlock, sgmatConfigsFor, sgmatId, sgmatWorkgroupBytes, type SgmatConfig } from './matmul_sgmat.js';
import type { StridedMatmulArgs } from './matmul_layout.js';

/** Kernel choice for one strided product: 'strided' (the generic kernel), a fast-path config id, or a split-K id. */
export type MatmulChoice = 'strided' | string;

/** A fast layout with its leading dimensions, operand storage (f16) and read mode (texture views) settled. */
export type OperandLayout = FastLayout & { lda: number; ldb: number; ldc: number };

/** What stridedMatmul runs. */
export type MatmulPlan =
  | { kind: 'strided' }
  | { kind: 'splitk'; chunks: number }
  | { kind: 'fast'; layout: OperandLayout; config: FastConfig }
  | { kind: 'tiled'; layout: OperandLayout; config: TiledConfig }
  | { kind: 'sgmat'; layout: OperandLayout; config: SgmatConfig };

/**
 * The subgroup-matrix configs (matmul_sgmat.ts) for a product of this layout: both operands f16, on an adapter whose
 * profile lists f16 → f32 subgroup-matrix shapes, within its workgroup limits. Empty elsewhere (lavapipe).
 */
export function sgmatConfigs(layout: FastLayout): SgmatConfig[] {
  const { subgroupMatrixF16 = [], subgroupMaxSize } = runtime().profile;
  if (!layout.halfA || !layout.halfB || subgroupMaxSize === 0) return [];
  const l = runtime().limits;
  return subgroupMatrixF16
    .flatMap(sgmatConfigsFor)
    .filter(
      (c) =>
        c.sgm * c.sgn * subgroupMaxSize <= l.maxComputeInvocationsPerWorkgroup &&
        sgmatWorkgroupBytes(c) <= l.maxComputeWorkgroupStorageSize,
    );
}

/** The workgroup-memory tiled configs (matmul_tiled.ts) this device's limits allow. */
export function tiledConfigs(): TiledConfig[] {
  const l = runtime().limits;
  return TILED_CONFIGS.filter((c) =>
    tiledFits(c, l.maxComputeInvocationsPerWorkgroup, l.maxComputeWorkgroupStorageSize),
  );
}

/** The tiled choices this device offers (ids), for tests and benches; autotuned on GPUs, forced elsewhere. */
export function tiledKernelChoices(): string[] {
  return tiledConfigs().map(tiledId);
}

/** The fast-path configs worth trying on this device (subgroup sharing needs subgroups of at least 8 lanes). */
export function fastConfigs(layout: FastLayout): FastConfig[] {
  const minSg = runtime().profile.subgroupMinSize;
  const sg = minSg >= 8;
  const all: FastConfig[] = [
    ...(sg
      ? ([
          { share: 'subgroup', rows: 2, cols: 16 },
          { share: 'subgroup', rows: 4, cols: 16 },
          { share: 'subgroup', rows: 4, cols: 16, wg: 32 },
          { share: 'subgroup', rows: 4, cols: 32 },
          { share: 'subgroup', rows: 4, cols: 32, wg: 32 },
          // Broadcasts interleaved with their FMAs (fewer live values): taller blocks without the spills.
          { share: 'subgroup', rows: 4, cols: 32, interleave: true },
          { share: 'subgroup', rows: 4, cols: 32, wg: 32, interleave: true },
          { share: 'subgroup', rows: 8, cols: 16, wg: 32, interleave: true },
          // One row per lane, 8 rows per workgroup: short M (a batch's [CLS] rows, a short sequence), no idle rows.
          { share: 'subgroup', rows: 1, cols: 32, wg: 8, interleave: true },
          // 16-lane subgroups (lavapipe at 512 bits): the block spread over all 16 lanes, each loading half as much.
          ...(minSg >= 16
            ? [
                // (Taller tiles, 8 × 64 and 8 × 32, measured no faster at the linear products: bench/README.md.)
                { share: 'subgroup', rows: 4, cols: 64, interleave: true, lanes: 16 },
                { share: 'subgroup', rows: 4, cols: 64, wg: 32, interleave: true, lanes: 16 },
              ]
            : []),
        ] as FastConfig[])
      : []),
    { share: 'plain', rows: 4, cols: 8 },
  ];
  return all.filter((c) => configFits(layout, c));
}

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
 * The untuned choice among settings().matmulPreferred. Rule 'cost': the one with the least estimated cost for M
 * rows, rows past M computed and dropped included (a workgroup spans wg·rows rows: 256 for r4c32i, 8 for
 * r1c32w8i); ties go to the earlier preference. Rule 'span': the first whose workgroup spans at most M rows. Else
 * any offered config that fits.
 */
function defaultChoice(configs: FastConfig[], m: number, sgmat: SgmatConfig[] = []): MatmulChoice {
  const byId = new Map(configs.map((c) => [configId(c), c]));
  // Workgroup-memory kernels by id, with the rows one workgroup covers.
  const tiled = new Map<string, { bm: number }>([
    ...tiledConfigs().map((c) => [tiledId(c), c] as const),
    ...sgmat.map((c) => [sgmatId(c), sgmatBlock(c)] as const),
  ]);
  const { matmulPreferred, matmulDefaultRule } = settings();
  if (matmulDefaultRule === 'cost') {
    // Software adapters: the cost model covers the register-tiled configs only (tiled ones are never preferred there).
    const preferred = matmulPreferred.filter((id) => byId.has(id));
    const span = (id: string): number => wgSize(byId.get(id)!) * byId.get(id)!.rows; // rows one workgroup covers
    const cost = (id: string): number => Math.ceil(m / span(id)) * span(id) * softwareCostPerElement(byId.get(id)!);
    if (preferred.length) return preferred.reduce((best, id) => (cost(id) < cost(best) ? id : best));
  }
  const preferred = matmulPreferred.filter((id) => byId.has(id) || tiled.has(id));
  const span = (id: string): number => (tiled.has(id) ? tiled.get(id)!.bm : wgSize(byId.get(id)!) * byId.get(id)!.rows); // rows one workgroup covers
  // f16 × f16 products go to the matrix units first where offered (largest block first), as the setting says.
  const matrix = settings().matmulMatrixUnits ? sgmat.map(sgmatId) : [];
  const order = [...matrix, ...preferred, ...byId.keys()];
  const id = order.find((i) => span(i) <= m) ?? order[0];
  return id ?? 'strided';
}

/** The choice an untuned product of this layout with M rows gets on this device (tests, benches). */
export function untunedMatmulChoice(layout: FastLayout, m: number): MatmulChoice {
  return defaultChoice(fastConfigs(layout), m, sgmatConfigs(layout));
}

/** Every kernel choice this device offers for strided products ('strided' first), for tests and benches. */
export function matmulKernelChoices(): MatmulChoice[] {
  const anyLayout: FastLayout = { a: 'col', b: 'nn', vecA: true, vecB: true };
  const rowLayout: FastLayout = { a: 'row', b: 'nn', vecA: true, vecB: true };
  return ['strided', ...new Set([...fastConfigs(rowLayout), ...fastConfigs(anyLayout)].map(configId))];
}

/** The autotuner key of a product: the layout (operand reads included) and the shape class. */
function tuneKey(layout: FastLayout, m: number, n: number, k: number, batch: number): string {
  return autotuner.key(runtime(), 'matmul', `${layoutId(layout)}|${shapeClass(m, n, k, batch)}`);
}

/**
 * The product's fast layout with its operands' storage (f16 operands are read as halves, widened to f32) and read
 * mode (settings().matmulOperandReads: vec4 f32 operands through texture views where the pool can hold them);
 * undefined where an operand has no unit inner stride or K = 0.
 */
export function operandLayout(args: StridedMatmulArgs): OperandLayout | undefined {
  const { a, b, m, n, k } = args;
  const l = k > 0 ? fastLayout(m, n, k, args.aLayout, args.bLayout, args.cLayout) : undefined;
  if (!l) return undefined;
  const halfA = a.dtype === 'f16';
  const halfB = b.dtype === 'f16';
  const pool = runtime().textures;
  if (!pool || settings().matmulOperandReads !== 'texture') return { ...l, halfA, halfB };
  const fits = (t: Tensor): boolean => Math.ceil(t.binding.size / 16) <= pool.capacity; // else buffer reads
  return { ...l, halfA, halfB, texA: l.vecA && !halfA && fits(a), texB: l.vecB && !halfB && fits(b) };
}

let keyRecorder: Map<string, { layout: OperandLayout; splits: string[] }> | undefined;
const forcedByKey = new Map<string, MatmulChoice>();

/** The kernel stridedMatmul runs for this product: forced, tuned or default, falling back to what fits. */
export function planMatmul(args: StridedMatmulArgs): MatmulPlan {
  const half = args.a.dtype === 'f16' || args.b.dtype === 'f16';
  const layout = operandLayout(args);
  if (half && !layout)
    throw new Error(`stridedMatmul: f16 operands need unit inner strides and K > 0 (the generic kernel is f32 only)`);
  if (!layout) return { kind: 'strided' };
  const configs = fastConfigs(layout);
  const key = tuneKey(layout, args.m, args.n, args.k, args.batch1 * args.batch2);
  keyRecorder?.set(key, { layout, splits: splitKChoices(args) });
  const forced = settings().matmulKernel;
  const sgmat = sgmatConfigs(layout);
  let want =
    (forced === 'auto' ? undefined : forced) ??
    forcedByKey.get(key) ??
    autotuner.choice(key) ??
    defaultChoice(configs, args.m, sgmat);
  if (half && want === 'strided') want = defaultChoice(configs, args.m, sgmat); // the generic kernel reads f32 only
  const chunks = splitKCount(want);
  if (chunks && splitKFits(args, chunks)) return { kind: 'splitk', chunks };
  const buffers = { ...layout, texA: false, texB: false }; // workgroup-memory kernels read buffers
  const resolve = (id: string): MatmulPlan | undefined => {
    const matrix = sgmat.find((c) => sgmatId(c) === id);
    if (matrix) return { kind: 'sgmat', layout: buffers, config: matrix };
    const tiled = tiledConfigs().find((c) => tiledId(c) === id);
    if (tiled) return { kind: 'tiled', layout: buffers, config: tiled };
    const config = configs.find((cf) => configId(cf) === id);
    return config && { kind: 'fast', layout, config };
  };
  // A choice this device no longer offers (e.g. a stale cache entry) falls back to the default, never to 'strided'.
  if (want === 'strided') return { kind: 'strided' };
  return resolve(want) ?? resolve(defaultChoice(configs, args.m, sgmat)) ?? { kind: 'strided' };
}

/** The autotuner key of this product (what planMatmul looks up), or undefined for one the generic kernel runs. */
export function matmulTuneKey(args: StridedMatmulArgs): string | undefined {
  const layout = operandLayout(args);
  return layout && tuneKey(layout, args.m, args.n, args.k, args.batch1 * args.batch2);
}

/** Every choice worth timing for a product of this layout: the generic kernel (f32), the fast configs, split-K. */
export function candidateChoices(layout: FastLayout, splits: string[]): MatmulChoice[] {
  // Tiled kernels only where workgroup memory is real (GPUs): on a software adapter they are slow and never chosen.
  const tiled = runtime().profile.software ? [] : tiledKernelChoices();
  const sgmat = sgmatConfigs(layout).map(sgmatId);
  return [
    ...(layout.halfA || layout.halfB ? [] : ['strided']),
    ...fastConfigs(layout).map(configId),
    ...tiled,
    ...sgmat,
    ...splits,
  ];
}

/** Runs `run`, returning the tuning key of every strided product it planned, with its layout and split-K choices. */
export function recordMatmulKeys(run: () => void): Map<string, { layout: OperandLayout; splits: string[] }> {
  const recorded = (keyRecorder = new Map());
  try {
    run();
  } finally {
    keyRecorder = undefined;
  }
  return recorded;
}

/** Runs `run` with the products of one tuning key forced to `choice`. */
export function withKeyForced(key: string, choice: MatmulChoice, run: () => void): void {
  forcedByKey.set(key, choice);
  try {
    run();
  } finally {
    forcedByKey.delete(key);
  }
}
