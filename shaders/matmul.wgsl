// matmul: C[b1,b2] = alpha · A[b1,b2] · B[b1,b2] (+ bias[n]) (+ C if accumulate), all operands addressed through
// element strides, so transposed operands (NT, TN) and attention heads inside [B, T, H·D] rows are read in place:
// no transpose is ever materialised.
// Bindings: 0 a (read); 1 b (read); 2 bias (read, [N] or a dummy); 3 c (read_write); 4 act (read_write, C's layout, or a
// dummy); 5 uniforms (Params). GELU epilogue (act = 1): act = gelu(C) and C itself kept only if store_pre = 1 (the
// backward needs it); gelu() comes from gelu_math.wgsl, appended by the op.
// Dispatch: x = ceil(N / 32), y = ceil(M / 32), z = batch1 · batch2. Workgroup 8×8; each invocation computes a
// 4×4 register block of C (rows and columns strided by 8 so a warp's loads of B are adjacent).

struct Params {
  m: u32, n: u32, k: u32, batch2: u32,
  a_b1: u32, a_b2: u32, a_m: u32, a_k: u32,
  b_b1: u32, b_b2: u32, b_k: u32, b_n: u32,
  c_b1: u32, c_b2: u32, c_m: u32, c_n: u32,
  alpha: f32, has_bias: u32, accumulate: u32, act: u32,
  store_pre: u32,
}
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read_write> act_out: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let b1 = wg.z / p.batch2;
  let b2 = wg.z % p.batch2;
  let a_base = b1 * p.a_b1 + b2 * p.a_b2;
  let b_base = b1 * p.b_b1 + b2 * p.b_b2;
  let c_base = b1 * p.c_b1 + b2 * p.c_b2;
  let row0 = wg.y * 32u + lid.y;
  let col0 = wg.x * 32u + lid.x;

  var acc: array<array<f32, 4>, 4>;
  var rows: array<u32, 4>;
  var cols: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    rows[i] = min(row0 + i * 8u, p.m - 1u);
    cols[i] = min(col0 + i * 8u, p.n - 1u);
  }
  for (var kk = 0u; kk < p.k; kk++) {
    var av: array<f32, 4>;
    var bv: array<f32, 4>;
    for (var i = 0u; i < 4u; i++) {
      av[i] = a[a_base + rows[i] * p.a_m + kk * p.a_k];
      bv[i] = b[b_base + kk * p.b_k + cols[i] * p.b_n];
    }
    for (var i = 0u; i < 4u; i++) {
      for (var j = 0u; j < 4u; j++) {
        acc[i][j] = fma(av[i], bv[j], acc[i][j]);
      }
    }
  }
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + i * 8u;
    if (r >= p.m) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j * 8u;
      if (col >= p.n) { continue; }
      let at = c_base + r * p.c_m + col * p.c_n;
      var v = p.alpha * acc[i][j];
      if (p.has_bias == 1u) { v += bias[col]; }
      if (p.accumulate == 1u) { v += c[at]; }
      if (p.act == 0u || p.store_pre == 1u) { c[at] = v; }
      if (p.act == 1u) { act_out[at] = gelu(v); }
    }
  }
}
