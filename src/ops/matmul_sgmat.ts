// Subgroup-matrix matmul generator: f16 operands, f32 accumulation on the GPU's matrix units (tensor cores) through
// Dawn's chromium_experimental_subgroup_matrix WGSL extension (Vulkan cooperative matrices underneath). Offered
// only where the adapter enables chromium-experimental-subgroup-matrix and reports an f16 → f32 configuration; the
// hardware matrix shape (M × N × K: 16×16×16 on NVIDIA, 8×8×8 on Apple) comes from that report.
//
// A workgroup of SGM × SGN subgroups computes a BM × BN block of C (BM = SGM·SM·M, BN = SGN·SN·N): per step of BK =
// KT·K along K all threads stage the A tile [BM][BK] and the B tile [BK][BN] in workgroup memory as f16 (read from f16
// or f32 storage in any layout, zero past the matrix), then each subgroup multiplies its SM × SN result matrices with
// subgroupMatrixMultiplyAccumulate. The epilogue goes through a per-subgroup f32 scratch matrix (subgroupMatrixStore)
// so bias, GELU, accumulate and any M, N tail are applied element by element. Batches via wg.z; split-K for the weight
// gradients comes from matmul_splitk.ts (its chunk product is a batched product this kernel runs).
// Not validated on hardware here (lavapipe has no subgroup matrices): the generated WGSL is checked structurally by
// tests/matmul_sgmat.test.ts, and against float64 wherever the feature exists.
import { defineKernel } from '../runtime/kernel_def.js';
import type { SubgroupMatrixConfig } from '../runtime/runtime.js';
import {
  EPILOGUE_BINDINGS,
  LEADING_DIM_UNIFORMS,
  unusedBindings,
  type FastEpilogue,
  type FastLayout,
} from './matmul_fast.js';
import { GELU_MATH_WGSL } from './sources.js';

/** A block config over the hardware matrix (m × n × k): SM × SN matrices per subgroup, SGM × SGN subgroups, KT k-steps. */
export type SgmatConfig = {
  m: number;
  n: number;
  k: number;
  sm: number;
  sn: number;
  sgm: number;
  sgn: number;
  kt: number;
};

export const sgmatBlock = (c: SgmatConfig): { bm: number; bn: number; bk: number } => ({
  bm: c.sgm * c.sm * c.m,
  bn: c.sgn * c.sn * c.n,
  bk: c.kt * c.k,
});

/** A config's id: sgmat_m{BM}n{BN}k{BK}_{m}x{n}x{k} (block, then the hardware shape). */
export function sgmatId(c: SgmatConfig): string {
  const { bm, bn, bk } = sgmatBlock(c);
  return `sgmat_m${bm}n${bn}k${bk}_${c.m}x${c.n}x${c.k}`;
}

/**
 * The block configs for one hardware shape: a 64 × 128 block (2 × 2 subgroups) and a 32 × 64 one for short products,
 * BK 32. Hardware matrices larger than the block halves are skipped.
 */
export function sgmatConfigsFor(hw: SubgroupMatrixConfig): SgmatConfig[] {
  const base = { m: hw.M, n: hw.N, k: hw.K, sgm: 2, sgn: 2, kt: Math.max(1, 32 / hw.K) };
  return [
    { ...base, sm: 32 / hw.M, sn: 64 / hw.N },
    { ...base, sm: 16 / hw.M, sn: 32 / hw.N },
  ].filter((c) => Number.isInteger(c.sm) && Number.isInteger(c.sn) && c.sm >= 1 && c.sn >= 1 && Number.isInteger(c.kt));
}

/** Workgroup memory of a config: the f16 A and B tiles and each subgroup's f32 result scratch. */
export function sgmatWorkgroupBytes(c: SgmatConfig): number {
  const { bm, bn, bk } = sgmatBlock(c);
  return 2 * bk * (bm + bn) + 4 * c.sgm * c.sgn * c.m * c.n;
}

export type SgmatKernelParams = Pick<Required<FastLayout>, 'a' | 'b' | 'halfA' | 'halfB'> &
  SgmatConfig &
  Omit<FastEpilogue, 'vecC'> & { subgroup: number };

export function sgmatParams(l: FastLayout, c: SgmatConfig, e: FastEpilogue, subgroup: number): SgmatKernelParams {
  return {
    a: l.a,
    b: l.b,
    halfA: !!l.halfA,
    halfB: !!l.halfB,
    ...c,
    bias: e.bias,
    accumulate: e.accumulate,
    gelu: e.gelu,
    storePre: e.storePre,
    subgroup,
  };
}

export function sgmatName(p: SgmatKernelParams): string {
  const e = `${p.bias ? 'b' : ''}${p.accumulate ? 'a' : ''}${p.gelu ? 'g' : ''}${p.gelu && p.storePre ? 'p' : ''}`;
  return `matmul_${sgmatId(p)}_${p.a}${p.b}_${p.halfA ? 'h' : 'f'}${p.halfB ? 'h' : 'f'}_s${p.subgroup}_e${e}`;
}

/** The kernel: the fast path's bindings and uniforms (C scalar f32), so one dispatch routine serves them all. */
export const MATMUL_SGMAT = defineKernel({
  name: 'matmul_sgmat',
  source: (p: SgmatKernelParams) => generateSgmatMatmul(p),
  label: (p) => sgmatName(p),
  bindings: { a: 'read', b: 'read', ...EPILOGUE_BINDINGS },
  uniforms: LEADING_DIM_UNIFORMS,
});

/** Staging of one operand tile into workgroup memory as f16, element by element along its contiguous axis. */
function stageCode(which: 'a' | 'b', p: SgmatKernelParams): string {
  const { bm, bn, bk } = sgmatBlock(p);
  if (which === 'a') {
    // As[r·BK + kk] = A(m0 + r, k0 + kk); row-major A is contiguous along k, a stored transpose along r.
    const [outer, inner, r, kk] = p.a === 'row' ? [bm, bk, 'i / BK', 'i % BK'] : [bk, bm, 'i % BM', 'i / BM'];
    const at = p.a === 'row' ? 'a_base + row * p.lda + kc' : 'a_base + kc * p.lda + row';
    return `  for (var i = li; i < ${outer * inner}u; i += THREADS) {
    let r = ${r};
    let kk = ${kk};
    let row = min(m0 + r, p.m - 1u);
    let kc = min(k0 + kk, p.k - 1u);
    As[r * BK + kk] = select(f16(0.0), f16(a[${at}]), m0 + r < p.m && k0 + kk < p.k);
  }`;
  }
  // Bs[kk·BN + c] = B(k0 + kk, n0 + c); B [K,N] is contiguous along n, a stored transpose [N,K] along k.
  const [c, kk] = p.b === 'nn' ? ['i % BN', 'i / BN'] : ['i / BK', 'i % BK'];
  const at = p.b === 'nn' ? 'b_base + kc * p.ldb + col' : 'b_base + col * p.ldb + kc';
  return `  for (var i = li; i < ${bk * bn}u; i += THREADS) {
    let c = ${c};
    let kk = ${kk};
    let col = min(n0 + c, p.n - 1u);
    let kc = min(k0 + kk, p.k - 1u);
    Bs[kk * BN + c] = select(f16(0.0), f16(b[${at}]), n0 + c < p.n && k0 + kk < p.k);
  }`;
}

export function generateSgmatMatmul(p: SgmatKernelParams): string {
  const { bm, bn, bk } = sgmatBlock(p);
  const nsg = p.sgm * p.sgn;
  const threads = nsg * p.subgroup;
  const L = `subgroup_matrix_left<f16, ${p.k}, ${p.m}>`;
  const R = `subgroup_matrix_right<f16, ${p.n}, ${p.k}>`;
  const C = `subgroup_matrix_result<f32, ${p.n}, ${p.m}>`;
  const finish = [
    'var v = p.alpha * cs[base + e];',
    ...(p.bias ? ['v += bias[col];'] : []),
    ...(p.accumulate ? ['v += c[at];'] : []),
    ...(!p.gelu || p.storePre ? ['c[at] = v;'] : []),
    ...(p.gelu ? ['act_out[at] = gelu(v);'] : []),
  ];
  const out: string[] = [];
  const w = (s: string): void => void out.push(s);
  w(`// ${sgmatName(p)} (generated by src/ops/matmul_sgmat.ts)`);
  w(`// C[b] = alpha · A[b] · B[b] (+ bias) (+ C) on ${p.m}×${p.n}×${p.k} f16 subgroup matrices, f32 accumulation.`);
  w(
    `// Bindings: 0 a (read, ${p.halfA ? 'f16' : 'f32'}); 1 b (read, ${p.halfB ? 'f16' : 'f32'}); 2 bias (read, f32 [N]); 3 c (read_write, f32);`,
  );
  w("//   4 act_out (read_write, f32); 5 uniforms (the fast kernels' struct).");
  w(
    `// Dispatch: x = ceil(N / ${bn}), y = ceil(M / ${bm}), z = batch1 · batch2; workgroup ${threads} = ${nsg} subgroups of ${p.subgroup}`,
  );
  w(`// (a multiple of the adapter's largest subgroup, as the extension requires); subgroup s computes rows`);
  w(
    `// (s / ${p.sgn})·${p.sm * p.m}…, columns (s % ${p.sgn})·${p.sn * p.n}… of the block. Subgroups past ${nsg} (smaller subgroups) stage only.`,
  );
  w(`enable f16;
enable subgroups;
enable chromium_experimental_subgroup_matrix;
// Offsets depend on the subgroup id: uniform in each subgroup (what the builtins need), not in the workgroup.
diagnostic(off, chromium_experimental.subgroup_matrix_uniformity);

struct Params {
  m: u32, n: u32, k: u32, batch2: u32,
  a_b1: u32, a_b2: u32, lda: u32, b_b1: u32,
  b_b2: u32, ldb: u32, c_b1: u32, c_b2: u32,
  ldc: u32, alpha: f32, has_bias: u32, accumulate: u32,
  act: u32, store_pre: u32,
}
@group(0) @binding(0) var<storage, read> a: array<${p.halfA ? 'f16' : 'f32'}>;
@group(0) @binding(1) var<storage, read> b: array<${p.halfB ? 'f16' : 'f32'}>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read_write> act_out: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

const BM = ${bm}u;
const BN = ${bn}u;
const BK = ${bk}u;
const THREADS = ${threads}u;
var<workgroup> As: array<f16, ${bm * bk}>;
var<workgroup> Bs: array<f16, ${bk * bn}>;
var<workgroup> cs: array<f32, ${nsg * p.m * p.n}>;

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32,
        @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) sg_size: u32) {
  let b1 = wg.z / p.batch2;
  let b2 = wg.z % p.batch2;
  let a_base = b1 * p.a_b1 + b2 * p.a_b2;
  let b_base = b1 * p.b_b1 + b2 * p.b_b2;
  let c_base = b1 * p.c_b1 + b2 * p.c_b2;
  let m0 = wg.y * BM;
  let n0 = wg.x * BN;
  let computes = sg < ${nsg}u;
  let sg_row = (sg / ${p.sgn}u) * ${p.sm * p.m}u; // this subgroup's first row and column in the block
  let sg_col = (sg % ${p.sgn}u) * ${p.sn * p.n}u;`);
  w(unusedBindings({ ...p, vecC: false }));
  for (let i = 0; i < p.sm; i++) for (let j = 0; j < p.sn; j++) w(`  var acc${i}_${j} = ${C}();`);
  w(`  for (var k0 = 0u; k0 < p.k; k0 += BK) {`);
  w(stageCode('a', p));
  w(stageCode('b', p));
  w(`    workgroupBarrier();
    if (computes) {
      for (var kk = 0u; kk < BK; kk += ${p.k}u) {`);
  for (let i = 0; i < p.sm; i++) {
    w(`        let l${i} = subgroupMatrixLoad<${L}>(&As, (sg_row + ${i * p.m}u) * BK + kk, false, BK);`);
  }
  for (let j = 0; j < p.sn; j++) {
    w(`        let r${j} = subgroupMatrixLoad<${R}>(&Bs, kk * BN + sg_col + ${j * p.n}u, false, BN);`);
  }
  for (let i = 0; i < p.sm; i++) {
    for (let j = 0; j < p.sn; j++)
      w(`        acc${i}_${j} = subgroupMatrixMultiplyAccumulate(l${i}, r${j}, acc${i}_${j});`);
  }
  w(`      }
    }
    workgroupBarrier();
  }`);
  // Epilogue: one result matrix at a time through the subgroup's scratch, every thread reaching each barrier.
  for (let i = 0; i < p.sm; i++) {
    for (let j = 0; j < p.sn; j++) {
      w(`  if (computes) { subgroupMatrixStore(&cs, sg * ${p.m * p.n}u, acc${i}_${j}, false, ${p.n}u); }
  workgroupBarrier();
  if (computes) {
    let base = sg * ${p.m * p.n}u;
    for (var e = lane; e < ${p.m * p.n}u; e += sg_size) {
      let row = m0 + sg_row + ${i * p.m}u + e / ${p.n}u;
      let col = n0 + sg_col + ${j * p.n}u + e % ${p.n}u;
      if (row < p.m && col < p.n) {
        let at = c_base + row * p.ldc + col;`);
      for (const line of finish) w(`        ${line}`);
      w(`      }
    }
  }
  workgroupBarrier();`);
    }
  }
  w('}');
  return `${out.join('\n')}\n${GELU_MATH_WGSL}`;
}
