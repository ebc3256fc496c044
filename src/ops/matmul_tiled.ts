// Workgroup-memory tiled matmul generator: the GPU-shaped product for adapters without matrix units (and for any
// GPU's f32 products). A workgroup computes a BM × BN block of C; per step of BK along K its threads stage the A and
// B tiles in workgroup memory (double-buffered: the next tile's global loads are issued before the current tile's
// FMAs, one barrier per step), then each thread accumulates a TM × TN register tile from them (vec4 reads, the A
// column and B row of each k loaded once per thread and reused TN and TM times). Operands are read with the fast
// path's loaders (matmul_fast.ts: vec4 where aligned, f16 widened, any shape's tails clamped and zeroed), the
// epilogue (bias, accumulate, GELU) is the fast path's too, so every layout (NN / NT / TN / TT) and shape works.
// On lavapipe workgroup memory costs a per-lane loop per access (DESIGN.md §3): never its default, but correct there.
import { defineKernel } from '../runtime/kernel_def.js';
import {
  EPILOGUE_BINDINGS,
  epilogueCode,
  LEADING_DIM_UNIFORMS,
  operandPrelude,
  operandTypes,
  unusedBindings,
  type FastEpilogue,
  type FastLayout,
} from './matmul_fast.js';
import { GELU_MATH_WGSL } from './sources.js';

/** A tiled config: block BM × BN, step BK along K, TM × TN per thread ((BM/TM)·(BN/TN) threads). */
export type TiledConfig = { bm: number; bn: number; bk: number; tm: number; tn: number };

/** The configs offered, largest first: 128×128 blocks of 8×8 per thread (256 threads), then smaller for short M, N. */
export const TILED_CONFIGS: readonly TiledConfig[] = [
  { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8 },
  { bm: 128, bn: 64, bk: 8, tm: 8, tn: 4 },
  { bm: 64, bn: 64, bk: 8, tm: 4, tn: 4 },
  { bm: 32, bn: 64, bk: 16, tm: 4, tn: 4 },
];

/** A config's id: tiled_m{BM}n{BN}k{BK}t{TM}x{TN}. */
export const tiledId = (c: TiledConfig): string => `tiled_m${c.bm}n${c.bn}k${c.bk}t${c.tm}x${c.tn}`;

export const tiledThreads = (c: TiledConfig): number => (c.bm / c.tm) * (c.bn / c.tn);

/** Workgroup memory of a config: two buffers of the A and B tiles, f32. */
export const tiledWorkgroupBytes = (c: TiledConfig): number => 2 * c.bk * (c.bm + c.bn) * 4;

/**
 * Whether a config is well-formed and fits the device: tiles of whole quads (multiples of 4), register tiles of
 * whole vec4 columns, at most `maxThreads` threads and `maxBytes` of workgroup memory.
 */
export function tiledFits(c: TiledConfig, maxThreads: number, maxBytes: number): boolean {
  const quads = [c.bm, c.bn, c.bk, c.tm, c.tn].every((v) => v % 4 === 0);
  return (
    quads &&
    c.bm % c.tm === 0 &&
    c.bn % c.tn === 0 &&
    tiledThreads(c) <= maxThreads &&
    tiledWorkgroupBytes(c) <= maxBytes
  );
}

export type TiledKernelParams = Required<FastLayout> & TiledConfig & FastEpilogue;

/** The cache key of a tiled kernel: layout (buffer reads), config and epilogue, nothing else. */
export function tiledParams(l: FastLayout, c: TiledConfig, e: FastEpilogue): TiledKernelParams {
  return {
    a: l.a,
    b: l.b,
    vecA: l.vecA,
    vecB: l.vecB,
    halfA: !!l.halfA,
    halfB: !!l.halfB,
    texA: false,
    texB: false,
    bm: c.bm,
    bn: c.bn,
    bk: c.bk,
    tm: c.tm,
    tn: c.tn,
    bias: e.bias,
    accumulate: e.accumulate,
    gelu: e.gelu,
    storePre: e.storePre,
    vecC: e.vecC,
  };
}

export function tiledName(p: TiledKernelParams): string {
  const e = `${p.bias ? 'b' : ''}${p.accumulate ? 'a' : ''}${p.gelu ? 'g' : ''}${p.gelu && p.storePre ? 'p' : ''}${p.vecC ? 'v' : ''}`;
  const l = `${p.a}${p.b}_${p.vecA ? 'v' : 's'}${p.halfA ? 'h' : ''}${p.vecB ? 'v' : 's'}${p.halfB ? 'h' : ''}`;
  return `matmul_${tiledId(p)}_${l}_e${e}`;
}

/** The kernel: the fast path's bindings and uniforms (its dispatch code serves both); A and B read from buffers. */
export const MATMUL_TILED = defineKernel({
  name: 'matmul_tiled',
  source: (p: TiledKernelParams) => generateTiledMatmul(p),
  label: (p) => tiledName(p),
  bindings: { a: 'read', b: 'read', ...EPILOGUE_BINDINGS },
  uniforms: LEADING_DIM_UNIFORMS,
});

/**
 * Quad q of a tile: which 4 values it is and where they go in workgroup memory. A tile (BM rows × BK) is stored
 * k-major (As[k·BM + m]), B (BK × BN) as Bs[k·BN + n]; a quad runs along the operand's contiguous axis.
 */
function quadCode(which: 'a' | 'b', l: FastLayout, c: TiledConfig): { count: number; load: string; store: string } {
  const { bm, bn, bk } = c;
  if (which === 'a') {
    if (l.a === 'row') {
      // 4 consecutive k of row r: As[(k0 + e)·BM + r].
      return {
        count: (bm * bk) / 4,
        // (load_a's vec4 path trusts k < K, true in the fast kernels' loop; a tile may run past K.)
        load: `select(vec4<f32>(0.0), load_a(a_base, m0 + q / ${bk / 4}u, k0 + (q % ${bk / 4}u) * 4u), k0 + (q % ${bk / 4}u) * 4u < p.k)`,
        store: `for (var e = 0u; e < 4u; e++) { As[buf + ((q % ${bk / 4}u) * 4u + e) * ${bm}u + q / ${bk / 4}u] = v[e]; }`,
      };
    }
    // 4 consecutive rows at k: As[k·BM + r…r+3].
    return {
      count: (bm * bk) / 4,
      load: `load_a(a_base, m0 + (q % ${bm / 4}u) * 4u, k0 + q / ${bm / 4}u)`,
      store: `for (var e = 0u; e < 4u; e++) { As[buf + (q / ${bm / 4}u) * ${bm}u + (q % ${bm / 4}u) * 4u + e] = v[e]; }`,
    };
  }
  if (l.b === 'nn') {
    // 4 consecutive columns at k: Bs[k·BN + n…n+3].
    return {
      count: (bn * bk) / 4,
      load: `load_b(b_base, n0 + (q % ${bn / 4}u) * 4u, k0 + q / ${bn / 4}u)`,
      store: `for (var e = 0u; e < 4u; e++) { Bs[buf + (q / ${bn / 4}u) * ${bn}u + (q % ${bn / 4}u) * 4u + e] = v[e]; }`,
    };
  }
  // 4 consecutive k of column n: Bs[(k0 + e)·BN + n].
  return {
    count: (bn * bk) / 4,
    load: `select(vec4<f32>(0.0), load_b(b_base, n0 + q / ${bk / 4}u, k0 + (q % ${bk / 4}u) * 4u), k0 + (q % ${bk / 4}u) * 4u < p.k)`,
    store: `for (var e = 0u; e < 4u; e++) { Bs[buf + ((q % ${bk / 4}u) * 4u + e) * ${bn}u + q / ${bk / 4}u] = v[e]; }`,
  };
}

export function generateTiledMatmul(p: TiledKernelParams): string {
  const { bm, bn, bk, tm, tn } = p;
  const threads = tiledThreads(p);
  const tx = bn / tn;
  const J = tn / 4;
  const { AT, BT } = operandTypes(p);
  const CT = p.vecC ? 'vec4<f32>' : 'f32';
  const qa = quadCode('a', p, p);
  const qb = quadCode('b', p, p);
  const perA = Math.ceil(qa.count / threads);
  const perB = Math.ceil(qb.count / threads);
  const out: string[] = [];
  const w = (s: string): void => void out.push(s);
  w(`// ${tiledName(p)} (generated by src/ops/matmul_tiled.ts)`);
  w(
    `// C[b] = alpha · A[b] · B[b] (+ bias) (+ C); A ${p.a === 'row' ? '[M,K]' : '[K,M] (read transposed)'}, B ${p.b === 'nn' ? '[K,N]' : '[N,K] (read transposed)'}.`,
  );
  w(
    `// Bindings: 0 a (read, ${AT}); 1 b (read, ${BT}); 2 bias (read, ${CT}); 3 c (read_write, ${CT}); 4 act_out (read_write, ${CT}); 5 uniforms.`,
  );
  w(
    `// Dispatch: x = ceil(N / ${bn}), y = ceil(M / ${bm}), z = batch1 · batch2; workgroup ${threads} threads, ${tm} × ${tn} each.`,
  );
  w(`// Workgroup memory: As, Bs: two ${bk}-deep tiles each (${tiledWorkgroupBytes(p)} bytes), one barrier per step.`);
  if (p.halfA || p.halfB) w('enable f16;');
  w(operandPrelude(p, CT));
  w(`
var<workgroup> As: array<f32, ${2 * bk * bm}>;
var<workgroup> Bs: array<f32, ${2 * bk * bn}>;

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let b1 = wg.z / p.batch2;
  let b2 = wg.z % p.batch2;
  let a_base = b1 * p.a_b1 + b2 * p.a_b2;
  let b_base = b1 * p.b_b1 + b2 * p.b_b2;
  let c_base = b1 * p.c_b1 + b2 * p.c_b2;
  let m0 = wg.y * ${bm}u;
  let n0 = wg.x * ${bn}u;
  let ty = li / ${tx}u;
  let tx = li % ${tx}u;
  let r0 = m0 + ty * ${tm}u; // this thread's rows and columns of C
  let c0 = n0 + tx * ${tn}u;
  var acc: array<array<vec4<f32>, ${J}>, ${tm}>;
  var ra: array<vec4<f32>, ${perA}>; // the next tile's quads, loaded before the current tile's FMAs
  var rb: array<vec4<f32>, ${perB}>;`);
  w(unusedBindings(p));
  const loads = (k0: string): string[] => [
    `    let k0 = ${k0};`,
    ...Array.from(
      { length: perA },
      (_, i) => `    { let q = li + ${i * threads}u; if (q < ${qa.count}u) { ra[${i}] = ${qa.load}; } }`,
    ),
    ...Array.from(
      { length: perB },
      (_, i) => `    { let q = li + ${i * threads}u; if (q < ${qb.count}u) { rb[${i}] = ${qb.load}; } }`,
    ),
  ];
  const stores = (buf: string): string[] => [
    ...Array.from(
      { length: perA },
      (_, i) =>
        `    { let q = li + ${i * threads}u; let buf = ${buf} * ${bk * bm}u; let v = ra[${i}]; if (q < ${qa.count}u) { ${qa.store} } }`,
    ),
    ...Array.from(
      { length: perB },
      (_, i) =>
        `    { let q = li + ${i * threads}u; let buf = ${buf} * ${bk * bn}u; let v = rb[${i}]; if (q < ${qb.count}u) { ${qb.store} } }`,
    ),
  ];
  w(`  let steps = (p.k + ${bk - 1}u) / ${bk}u;
  {`);
  for (const line of [...loads('0u'), ...stores('0u')]) w(line);
  w(`  }
  workgroupBarrier();
  for (var s = 0u; s < steps; s++) {
    let cur = s % 2u;
    let more = s + 1u < steps;
    if (more) {`);
  for (const line of loads(`(s + 1u) * ${bk}u`)) w(`  ${line}`);
  w(`    }
    let ab = cur * ${bk * bm}u + ty * ${tm}u;
    let bb = cur * ${bk * bn}u + tx * ${tn}u;
    for (var kk = 0u; kk < ${bk}u; kk++) {`);
  for (let i = 0; i < tm; i += 4) {
    w(
      `      let a${i / 4} = vec4<f32>(As[ab + kk * ${bm}u + ${i}u], As[ab + kk * ${bm}u + ${i + 1}u], As[ab + kk * ${bm}u + ${i + 2}u], As[ab + kk * ${bm}u + ${i + 3}u]);`,
    );
  }
  for (let j = 0; j < J; j++) {
    const at = (e: number): string => `Bs[bb + kk * ${bn}u + ${4 * j + e}u]`;
    w(`      let b${j} = vec4<f32>(${at(0)}, ${at(1)}, ${at(2)}, ${at(3)});`);
  }
  for (let i = 0; i < tm; i++) {
    for (let j = 0; j < J; j++)
      w(`      acc[${i}][${j}] = fma(vec4<f32>(a${Math.floor(i / 4)}[${i % 4}]), b${j}, acc[${i}][${j}]);`);
  }
  w(`    }
    if (more) {`);
  for (const line of stores('(1u - cur)')) w(`  ${line}`);
  w(`    }
    workgroupBarrier();
  }
  {
  let n0 = c0; // the epilogue's columns: this thread's (the block closes with the epilogue)`);
  w(epilogueCode(p, tm, tn));
  w('}');
  return `${out.join('\n')}\n${GELU_MATH_WGSL}`;
}
