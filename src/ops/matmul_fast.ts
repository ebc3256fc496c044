// Register-tiled matmul generator: the fast path of stridedMatmul for operands whose inner stride is 1 (row-major
// A [M,K] or its transpose [K,M]; B [K,N] or [N,K]; C [M,N]), which covers NN / NT / TN / TT Linear products and
// attention heads read in place. Shapes travel in a uniform; the layout and the block shape are baked into the
// generated WGSL (one pipeline per config, cached by name).
//
// Each invocation owns R rows of C (its A values are loaded by itself) and the whole workgroup shares a block of
// CN columns. Per step of 4 along K the shared B block (CN vec4s) is either loaded once per 8 or 16 lanes of a
// subgroup, CN / lanes vec4s per lane, and shared with subgroupBroadcast ('subgroup': on lavapipe a non-uniform load costs a per-lane loop, so
// loading each value once per subgroup wins), or loaded by every lane ('plain'). vec4 bindings are used where the
// layout is 4-aligned; otherwise scalar loads with per-element guards handle any shape (tails in M, N and K).
import { defineKernel } from '../runtime/kernel_def.js';
import { TEXTURE_WIDTH } from '../runtime/texture_view.js';
import type { MatrixLayout } from './matmul_layout.js';
import { GELU_MATH_WGSL } from './sources.js';

export type ShareMode = 'subgroup' | 'plain';

export type FastConfig = {
  share: ShareMode;
  /** Rows of C per invocation (4 when A is read transposed, to load a vec4 over rows). */
  rows: number;
  /** Columns of C per workgroup: a multiple of 8 (subgroup: the block is spread over 8 lanes). */
  cols: number;
  /** Invocations per workgroup (default WORKGROUP): smaller groups fit short M (attention heads) with tall blocks. */
  wg?: number;
  /**
   * Subgroup mode: broadcast each shared B value just before the FMAs that use it (nt: 4 columns at a time; nn: one k
   * row at a time) instead of all CN up front, so fewer values are live at once (less spilling with tall blocks).
   */
  interleave?: boolean;
  /**
   * Subgroup mode: lanes the B block is spread over and broadcast from (default 8; 16 where subgroups have at least
   * 16 lanes: lavapipe at 512 bits). Wider subgroups repeat the load in each group of this many lanes.
   */
  lanes?: number;
};

export type FastLayout = {
  /** A [M,K] row-major ('row') or stored as its transpose [K,M] ('col'). */
  a: 'row' | 'col';
  /** B [K,N] ('nn') or stored as its transpose [N,K] ('nt'). */
  b: 'nn' | 'nt';
  vecA: boolean;
  vecB: boolean;
  /** A / B stored as float16 (read through shader-f16, widened to f32: accumulation stays f32). */
  halfA?: boolean;
  halfB?: boolean;
  /**
   * A / B (vec4, f32) read through a read-only rgba32float storage texture: the operand's buffer copied into a
   * linear view TEXTURE_WIDTH texels wide (texture_view.ts), vec4 i at (i % width, i / width). On lavapipe a
   * texture load costs about half a storage-buffer load (each of which is a per-lane loop there).
   */
  texA?: boolean;
  texB?: boolean;
};

export const WORKGROUP = 64;

/**
 * What the epilogue does, baked into the generated kernel (lavapipe runs both sides of an `if` under a lane mask, so a
 * uniform flag tested per element still pays for the loads, stores and GELU it skips): bias add, C accumulate, GELU
 * (act_out = gelu(C), C stored too only with storePre), and vec4 stores of C when its rows are 4-aligned.
 */
export type FastEpilogue = {
  bias: boolean;
  accumulate: boolean;
  gelu: boolean;
  storePre: boolean;
  /** C (and act_out, bias) bound as vec4 arrays: N, ldc and C's batch strides are multiples of 4. */
  vecC: boolean;
};

/** Everything a generated kernel is made from: layout, config and epilogue, defaults filled in (the cache key). */
export type FastKernelParams = Required<FastLayout> & Required<FastConfig> & FastEpilogue;

export function fastKernelParams(l: FastLayout, c: FastConfig, e: FastEpilogue): FastKernelParams {
  return {
    a: l.a,
    b: l.b,
    vecA: l.vecA,
    vecB: l.vecB,
    halfA: !!l.halfA,
    halfB: !!l.halfB,
    texA: !!l.texA,
    texB: !!l.texB,
    share: c.share,
    rows: c.rows,
    cols: c.cols,
    wg: wgSize(c),
    interleave: !!c.interleave,
    lanes: c.lanes ?? 8,
    bias: e.bias,
    accumulate: e.accumulate,
    gelu: e.gelu,
    storePre: e.storePre,
    vecC: e.vecC,
  };
}

/** The epilogue's bindings, shared by every generated matmul family (each leaves out those its epilogue lacks). */
export const EPILOGUE_BINDINGS = {
  bias: { access: 'read', optional: true },
  c: { access: 'read_write', optional: true },
  act_out: { access: 'read_write', optional: true },
} as const;

/**
 * The uniforms of every generated matmul family (fast, tiled, subgroup matrix): the generic kernel's struct with
 * leading dimensions for the per-level strides, so one dispatch routine fills them all.
 */
export const LEADING_DIM_UNIFORMS = {
  m: 'u32',
  n: 'u32',
  k: 'u32',
  batch2: 'u32',
  a_b1: 'u32',
  a_b2: 'u32',
  lda: 'u32',
  b_b1: 'u32',
  b_b2: 'u32',
  ldb: 'u32',
  c_b1: 'u32',
  c_b2: 'u32',
  ldc: 'u32',
  alpha: 'f32',
  has_bias: 'u32',
  accumulate: 'u32',
  act: 'u32',
  store_pre: 'u32',
} as const;

/**
 * The generated kernel (generateFastMatmul). Bias, C and act_out are left out where the epilogue does not need them;
 * A and B are storage buffers, or texture views (texA / texB). The uniforms are the generic kernel's struct, with
 * leading dimensions for the per-level strides (has_bias … store_pre unused: the epilogue is baked in).
 */
export const MATMUL_FAST = defineKernel({
  name: 'matmul_fast',
  source: (p: FastKernelParams) => generateFastMatmul(p, p, p),
  label: (p) => configName(p, p, p),
  bindings: {
    a: { access: (p) => (p.texA ? 'texture' : 'read') },
    b: { access: (p) => (p.texB ? 'texture' : 'read') },
    ...EPILOGUE_BINDINGS,
  },
  uniforms: LEADING_DIM_UNIFORMS,
});

/** A short id of an epilogue for kernel names: b(ias) a(ccumulate) g(elu) p(re-activation kept) v(ec4 C). */
export const epilogueId = (e: FastEpilogue): string =>
  `${e.bias ? 'b' : ''}${e.accumulate ? 'a' : ''}${e.gelu ? 'g' : ''}${e.gelu && e.storePre ? 'p' : ''}${e.vecC ? 'v' : ''}`;

/** The fast layout of a strided product, or undefined when an operand has no unit inner stride. */
export function fastLayout(
  m: number,
  n: number,
  k: number,
  al: MatrixLayout,
  bl: MatrixLayout,
  cl: MatrixLayout,
): (FastLayout & { lda: number; ldb: number; ldc: number }) | undefined {
  if (cl.col !== 1) return undefined;
  let a: FastLayout['a'];
  let lda: number;
  if (al.col === 1) [a, lda] = ['row', al.row];
  else if (al.row === 1) [a, lda] = ['col', al.col];
  else return undefined;
  let b: FastLayout['b'];
  let ldb: number;
  if (bl.col === 1) [b, ldb] = ['nn', bl.row];
  else if (bl.row === 1) [b, ldb] = ['nt', bl.col];
  else return undefined;
  const al4 = (...v: number[]): boolean => v.every((x) => x % 4 === 0);
  const vecA = al4(lda, al.batch1, al.batch2) && (a === 'row' ? al4(k) : al4(m));
  const vecB = al4(ldb, bl.batch1, bl.batch2) && (b === 'nt' ? al4(k) : al4(n));
  return { a, b, vecA, vecB, lda, ldb, ldc: cl.row };
}

/** Invocations per workgroup of a config. */
export const wgSize = (c: FastConfig): number => c.wg ?? WORKGROUP;

/** A config's short id: share mode, rows × columns, the workgroup size when not the default, i(nterleaved), l(anes) when not 8. */
export const configId = (c: FastConfig): string =>
  `${c.share}_r${c.rows}c${c.cols}${c.wg && c.wg !== WORKGROUP ? `w${c.wg}` : ''}${c.interleave && c.share === 'subgroup' ? 'i' : ''}${c.lanes && c.lanes !== 8 ? `l${c.lanes}` : ''}`;

/** The layout's short id: A and B orientation, then per operand v(ec4), t (vec4 read from a texture) or s(calar), h when stored as f16. */
export const layoutId = (l: FastLayout): string =>
  `${l.a}${l.b}_${operandId(l.vecA, l.texA)}${l.halfA ? 'h' : ''}${operandId(l.vecB, l.texB)}${l.halfB ? 'h' : ''}`;
const operandId = (vec: boolean, tex?: boolean): string => (vec ? (tex ? 't' : 'v') : 's');

export function configName(l: FastLayout, c: FastConfig, e: FastEpilogue): string {
  return `matmul_fast_${layoutId(l)}_${configId(c)}_e${epilogueId(e)}`;
}

/**
 * Whether a config can run this layout (A read transposed needs rows in multiples of 4, one vec4 over rows each) and
 * is well-formed (columns a multiple of the sharing lanes, workgroup a multiple of 8).
 */
export function configFits(l: FastLayout, c: FastConfig): boolean {
  const w = wgSize(c);
  return (
    (l.a === 'row' || c.rows % 4 === 0) &&
    c.cols % (c.lanes ?? 8) === 0 &&
    c.cols <= 64 &&
    c.rows >= 1 &&
    c.rows <= 8 &&
    w % 8 === 0 &&
    w >= 8 &&
    w <= 256
  );
}

/** An operand's binding: a storage array, or the read-only texture holding its linear vec4 view. */
function operandBinding(name: string, binding: number, type: string, texture: boolean): string {
  return texture
    ? `@group(0) @binding(${binding}) var ${name}: texture_storage_2d<rgba32float, read>;`
    : `@group(0) @binding(${binding}) var<storage, read> ${name}: array<${type}>;`;
}

/** ${name}_vec(i): vec4 i of the operand, widened to f32. */
function vecReader(name: string, texture: boolean): string {
  const at = texture
    ? `textureLoad(${name}, vec2<u32>(i % ${TEXTURE_WIDTH}u, i / ${TEXTURE_WIDTH}u))`
    : `vec4<f32>(${name}[i])`;
  return `fn ${name}_vec(i: u32) -> vec4<f32> { return ${at}; }`;
}

/** The WGSL element types of A and B's bindings: f32 or f16 (stored halves), scalars or vec4s. */
export function operandTypes(l: FastLayout): { AT: string; BT: string } {
  const AE = l.halfA ? 'f16' : 'f32';
  const BE = l.halfB ? 'f16' : 'f32';
  return { AT: l.vecA ? `vec4<${AE}>` : AE, BT: l.vecB ? `vec4<${BE}>` : BE };
}

/**
 * The uniform struct, the six bindings and the operand loaders every generated product shares: load_a(base, r, k)
 * (4 consecutive k of row r for a row-major A, else 4 consecutive rows r.. at k) and load_b(base, n, k) (4 consecutive
 * columns n.. at k for B [K,N], else 4 consecutive k of column n), indices clamped inside the matrix, values past K
 * zeroed, widened to f32. CT: C's element type (f32 or vec4<f32>).
 */
export function operandPrelude(l: FastLayout, CT: string): string {
  const { AT, BT } = operandTypes(l);
  const out: string[] = [];
  const w = (s: string): void => void out.push(s);
  w(`struct Params {
  m: u32, n: u32, k: u32, batch2: u32,
  a_b1: u32, a_b2: u32, lda: u32, b_b1: u32,
  b_b2: u32, ldb: u32, c_b1: u32, c_b2: u32,
  ldc: u32, alpha: f32, has_bias: u32, accumulate: u32,
  act: u32, store_pre: u32,
}
${operandBinding('a', 0, AT, !!l.texA)}
${operandBinding('b', 1, BT, !!l.texB)}
@group(0) @binding(2) var<storage, read> bias: array<${CT}>;
@group(0) @binding(3) var<storage, read_write> c: array<${CT}>;
@group(0) @binding(4) var<storage, read_write> act_out: array<${CT}>;
@group(0) @binding(5) var<uniform> p: Params;
`);
  // Loads: every index is clamped inside the matrix; values past K are zeroed. vec4 operands go through a_vec / b_vec.
  if (l.vecA) w(vecReader('a', !!l.texA));
  if (l.vecB) w(vecReader('b', !!l.texB));
  if (l.a === 'row') {
    w(`// 4 consecutive k of row r (clamped), zero past K.
fn load_a(base: u32, r: u32, k: u32) -> vec4<f32> {
  let rr = min(r, p.m - 1u);`);
    if (l.vecA) w(`  return a_vec((base + rr * p.lda + k) / 4u);`);
    else
      w(`  var v: vec4<f32>;
  for (var e = 0u; e < 4u; e++) { v[e] = select(0.0, f32(a[base + rr * p.lda + min(k + e, p.k - 1u)]), k + e < p.k); }
  return v;`);
    w('}');
  } else {
    w(`// 4 consecutive rows r.. (clamped) at k, zero past K.
fn load_a(base: u32, r: u32, k: u32) -> vec4<f32> {
  let kk = min(k, p.k - 1u);`);
    if (l.vecA) w(`  let v = a_vec((base + kk * p.lda + min(r, p.m - 4u)) / 4u);`);
    else
      w(`  var v: vec4<f32>;
  for (var e = 0u; e < 4u; e++) { v[e] = f32(a[base + kk * p.lda + min(r + e, p.m - 1u)]); }`);
    w(`  return select(vec4<f32>(0.0), v, k < p.k);
}`);
  }
  if (l.b === 'nn') {
    w(`// 4 consecutive columns n.. (clamped) at k, zero past K.
fn load_b(base: u32, n: u32, k: u32) -> vec4<f32> {
  let kk = min(k, p.k - 1u);`);
    if (l.vecB) w(`  let v = b_vec((base + kk * p.ldb + min(n, p.n - 4u)) / 4u);`);
    else
      w(`  var v: vec4<f32>;
  for (var e = 0u; e < 4u; e++) { v[e] = f32(b[base + kk * p.ldb + min(n + e, p.n - 1u)]); }`);
    w(`  return select(vec4<f32>(0.0), v, k < p.k);
}`);
  } else {
    w(`// 4 consecutive k of column n (clamped), zero past K.
fn load_b(base: u32, n: u32, k: u32) -> vec4<f32> {
  let nn = min(n, p.n - 1u);`);
    if (l.vecB) w(`  return b_vec((base + nn * p.ldb + k) / 4u);`);
    else
      w(`  var v: vec4<f32>;
  for (var e = 0u; e < 4u; e++) { v[e] = select(0.0, f32(b[base + nn * p.ldb + min(k + e, p.k - 1u)]), k + e < p.k); }
  return v;`);
    w('}');
  }
  return out.join('\n');
}

/** Bindings this epilogue leaves unused still belong to the layout (the caller binds all six): touched here. */
export function unusedBindings(e: FastEpilogue): string {
  const unused = [
    ...(e.bias ? [] : ['bias']),
    ...(!e.gelu || e.storePre || e.accumulate ? [] : ['c']),
    ...(e.gelu ? [] : ['act_out']),
  ];
  return unused.map((v) => `  _ = arrayLength(&${v});`).join('\n');
}

/**
 * The epilogue of a generated product: an invocation's R × CN tile `acc` (array<array<vec4<f32>, CN/4>, R>) at rows
 * r0… and columns n0… of batch matrix c_base: v = alpha·acc (+ bias) (+ C), then C and/or gelu(v) stored; rows past
 * M and columns past N skipped.
 */
export function epilogueCode(e: FastEpilogue, R: number, CN: number): string {
  const J = CN / 4;
  const out: string[] = [];
  const w = (s: string): void => void out.push(s);
  const finish = (v: string, at: string, col: string, gelu: string): string[] => [
    `var v = p.alpha * ${v};`,
    ...(e.bias ? [`v += bias[${col}];`] : []),
    ...(e.accumulate ? [`v += c[${at}];`] : []),
    ...(!e.gelu || e.storePre ? [`c[${at}] = v;`] : []),
    ...(e.gelu ? [`act_out[${at}] = ${gelu}(v);`] : []),
  ];
  // One loop over the tile, with bounds the compiler cannot count, for every epilogue: one inlined store site (and
  // GELU) instead of one per tile element, as lavapipe compiles each store into a per-lane loop; it indexes a copy
  // of the tile, since an indexed acc would live in memory through the K loop (bench/README.md, *Compilation*).
  w(`  var tile: array<vec4<f32>, ${R * J}>;`);
  for (let i = 0; i < R; i++) for (let j = 0; j < J; j++) w(`  tile[${i * J + j}] = acc[${i}][${j}];`);
  w(`  let rows = select(0u, min(${R}u, p.m - r0), r0 < p.m);
  let cols = select(0u, min(${CN}u, p.n - n0), n0 < p.n);
  for (var i = 0u; i < rows; i++) {
    let row = c_base + (r0 + i) * p.ldc + n0;`);
  if (e.vecC) {
    // N % 4 == 0: a column group is wholly in or out.
    w(`    for (var j = 0u; j < cols / 4u; j++) {`);
    for (const line of finish(`tile[i * ${J}u + j]`, 'row / 4u + j', 'n0 / 4u + j', 'gelu4')) w(`      ${line}`);
  } else {
    w(`    for (var q = 0u; q < cols; q++) {`);
    for (const line of finish(`tile[i * ${J}u + q / 4u][q % 4u]`, 'row + q', 'n0 + q', 'gelu')) w(`      ${line}`);
  }
  w(`    }
  }
}`);
  return out.join('\n');
}

export function generateFastMatmul(l: FastLayout, c: FastConfig, e: FastEpilogue): string {
  const R = c.rows;
  const CN = c.cols;
  const J = CN / 4; // vec4 accumulators per row
  const WG = wgSize(c);
  const sg = c.share === 'subgroup';
  const { AT, BT } = operandTypes(l);
  const CT = e.vecC ? 'vec4<f32>' : 'f32';
  const out: string[] = [];
  const w = (s: string): void => void out.push(s);

  w(`// ${configName(l, c, e)} (generated by src/ops/matmul_fast.ts)`);
  w(
    `// C[b] = alpha · A[b] · B[b] (+ bias[n]) (+ C if accumulate); A ${l.a === 'row' ? '[M,K] row-major' : '[K,M] (read transposed)'}, B ${l.b === 'nn' ? '[K,N]' : '[N,K] (read transposed)'}.`,
  );
  w(
    `// Bindings: 0 a (read, ${AT}); 1 b (read, ${BT}); 2 bias (read, ${CT}, [N] or dummy); 3 c (read_write, ${CT}); 4 act (read_write, ${CT}, or dummy); 5 uniforms.`,
  );
  w(
    `// Epilogue (baked in): ${e.bias ? '+ bias' : 'no bias'}, ${e.accumulate ? '+ C' : 'C overwritten'}, ${e.gelu ? `act = gelu(C) (gelu_math.wgsl, appended)${e.storePre ? ', C stored too' : ', C not stored'}` : 'no activation'}.`,
  );
  w("// (The has_bias / accumulate / act / store_pre uniforms are the generic kernel's; unused here.)");
  w(
    `// Dispatch: x = ceil(N / ${CN}), y = ceil(M / ${WG * R}), z = batch1 · batch2. Workgroup ${WG}; ${R} rows × ${CN} columns per invocation${sg ? `; B shared by ${c.lanes ?? 8} lanes` : ''}.`,
  );
  if (l.halfA || l.halfB) w('enable f16;');
  if (sg) w('enable subgroups;');
  w(operandPrelude(l, CT));
  // Shared block element s (0 ≤ s < CN): nn → (kk = s / J, column group j = s % J); nt → column s.
  const blockLoad = (s: string): string =>
    l.b === 'nn' ? `load_b(b_base, n0 + (${s} % ${J}u) * 4u, k + ${s} / ${J}u)` : `load_b(b_base, n0 + ${s}, k)`;

  w(`
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32${sg ? ', @builtin(subgroup_invocation_id) lane: u32' : ''}) {
  let b1 = wg.z / p.batch2;
  let b2 = wg.z % p.batch2;
  let a_base = b1 * p.a_b1 + b2 * p.a_b2;
  let b_base = b1 * p.b_b1 + b2 * p.b_b2;
  let c_base = b1 * p.c_b1 + b2 * p.c_b2;
  let n0 = wg.x * ${CN}u;
  let r0 = wg.y * ${WG * R}u + li * ${R}u;
  var acc: array<array<vec4<f32>, ${J}>, ${R}>;`);
  w(unusedBindings(e));
  const SW = c.lanes ?? 8; // lanes sharing one B block
  if (sg) w(`  let block_lane = lane % ${SW}u;`);
  w(`  for (var k = 0u; k < p.k; k += 4u) {`);
  // A: av[x] vec4s; a(i, kk) picks a scalar.
  if (l.a === 'row') {
    for (let i = 0; i < R; i++) w(`    let a${i} = load_a(a_base, r0 + ${i}u, k);`);
  } else {
    for (let q = 0; q < R / 4; q++)
      for (let kk = 0; kk < 4; kk++) w(`    let a${kk}_${q} = load_a(a_base, r0 + ${4 * q}u, k + ${kk}u);`);
  }
  const aAt = (i: number, kk: number): string =>
    l.a === 'row' ? `a${i}[${kk}]` : `a${kk}_${Math.floor(i / 4)}[${i % 4}]`;
  // bcol(kk, j): vec4 over the 4 columns of group j at k + kk.
  const bcol = (kk: number, j: number): string =>
    l.b === 'nn'
      ? `bs${kk * J + j}`
      : `vec4<f32>(bs${4 * j}[${kk}], bs${4 * j + 1}[${kk}], bs${4 * j + 2}[${kk}], bs${4 * j + 3}[${kk}])`;
  const bcast = (s: number): string => `    let bs${s} = subgroupBroadcast(mine${Math.floor(s / SW)}, ${s % SW}u);`;
  // B block: bs{s} for s < CN (interleaved: each broadcast emitted just before the FMAs that use it).
  const lazy = sg && !!c.interleave;
  if (sg) {
    for (let h = 0; h < CN / SW; h++) w(`    let mine${h} = ${blockLoad(`(block_lane + ${SW * h}u)`)};`);
    if (!lazy) for (let s = 0; s < CN; s++) w(bcast(s));
  } else {
    for (let s = 0; s < CN; s++) w(`    let bs${s} = ${blockLoad(`${s}u`)};`);
  }
  if (lazy && l.b === 'nt') {
    // Column group j: its 4 columns' k-vectors, then all 4 k steps.
    for (let j = 0; j < J; j++) {
      for (let e = 0; e < 4; e++) w(bcast(4 * j + e));
      for (let kk = 0; kk < 4; kk++) {
        w(`    let bc${kk}_${j} = ${bcol(kk, j)};`);
        for (let i = 0; i < R; i++)
          w(`    acc[${i}][${j}] = fma(vec4<f32>(${aAt(i, kk)}), bc${kk}_${j}, acc[${i}][${j}]);`);
      }
    }
  } else if (lazy) {
    // nn: column group j's accumulators (R vec4s) take all 4 k steps while they sit in registers, each k step's
    // B vec4 broadcast just before its FMAs (k-outer order would cycle every accumulator through the stack 4 times).
    for (let j = 0; j < J; j++) {
      for (let kk = 0; kk < 4; kk++) {
        w(bcast(kk * J + j));
        for (let i = 0; i < R; i++)
          w(`    acc[${i}][${j}] = fma(vec4<f32>(${aAt(i, kk)}), ${bcol(kk, j)}, acc[${i}][${j}]);`);
      }
    }
  } else {
    for (let kk = 0; kk < 4; kk++) {
      for (let j = 0; j < J; j++) {
        if (l.b === 'nt') w(`    let bc${kk}_${j} = ${bcol(kk, j)};`);
        for (let i = 0; i < R; i++) {
          const bv = l.b === 'nt' ? `bc${kk}_${j}` : bcol(kk, j);
          w(`    acc[${i}][${j}] = fma(vec4<f32>(${aAt(i, kk)}), ${bv}, acc[${i}][${j}]);`);
        }
      }
    }
  }
  w('  }');
  w(epilogueCode(e, R, CN));
  return `${out.join('\n')}\n${GELU_MATH_WGSL}`;
}
