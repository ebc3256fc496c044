// flash_attention: fused multi-head self-attention, forward and backward, with no [T, T] matrix in memory.
//   scores s_ij = scale · q_i·k_j (key j masked → float32's minimum, Hugging Face's masked_fill: an all-masked row
//   is uniform), P = softmax_j(s), P̃ = P ∘ keep / (1 − p) (dropout on the probabilities), o_i = Σ_j P̃_ij v_j.
// Heads are read in place from [B, T, H·D] projections and o is written in that layout (no transposes).
// forward: R query rows per invocation (R = 1 on GPUs; more on lavapipe, where each K/V load then serves R rows),
// online softmax (running max m and sum l per row); saves (m, 1/l) per row.
// backward (FlashAttention-2 style, two kernels because WGSL has no float atomics):
//   backward_dq:   per query row i: Δ_i = dO_i·o_i (= Σ_j P_ij dP_ij, dropout included), dq_i = scale Σ_j dS_ij k_j,
//                  dS_ij = P_ij (dP_ij − Δ_i), dP_ij = keep_ij/(1 − p) · dO_i·v_j; masked keys get dS = 0.
//   backward_dkdv: per key row j: dv_j = Σ_i P̃_ij dO_i, dk_j = scale Σ_i dS_ij q_i (reads Δ that backward_dq left in stats).
// (Both backward kernels also take R rows per invocation.)
// The dropout mask is recomputed from (seed, offset, index of (b, h, i, j) in [B, H, T, T]) with dropout_hash.wgsl,
// so it is the very mask the unfused dropout(softmax(scores)) path draws from the same counter range.
// Bindings (vec4 rows: D4 = D / 4 vec4s per head row, D4 is a const prepended by the op):
//   0 q, 1 k, 2 v (read, vec4 [B, T, H·D4]); 3 mask (read, i32 [B, T], or a dummy when has_mask = 0);
//   4 o (read_write, vec4 [B, T, H·D4]: forward writes, backward_dq reads);
//   5 stats (read_write, vec4 [B·H·T]: (m, 1/l) from the forward, Δ added by backward_dq, 0);
//   6 dout (read, vec4 [B, T, H·D4]); 7 dq, 8 dk, 9 dv (read_write, vec4 [B, T, H·D4]);
//   10 uniforms {t, heads, blocks, has_mask, scale, p, seed_lo, seed_hi, offset}.
// At most 8 storage buffers per entry point (WebGPU's default limit), hence Δ rides in stats.
// Dispatch: blocks = B·H·ceil(T / (WG·R)) workgroups of WG (x·y folded); block → (b, h, tile of WG·R rows); lane l
// takes rows tile + l + r·WG, r < R. Prepended with dropout_hash.wgsl, `const D4: u32` and `const R: u32`.

override WG: u32 = 64u;
struct Params { t: u32, heads: u32, blocks: u32, has_mask: u32, scale: f32, p: f32, seed_lo: u32, seed_hi: u32, offset: u32 }
@group(0) @binding(0) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> mask: array<i32>;
@group(0) @binding(4) var<storage, read_write> o: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> stats: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> dq: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> dk: array<vec4<f32>>;
@group(0) @binding(9) var<storage, read_write> dv: array<vec4<f32>>;
@group(0) @binding(10) var<uniform> p: Params;

const F32_MIN: f32 = -3.4028234663852886e38;

struct Rows { ok: bool, b: u32, h: u32, bh: u32, first: u32 }

// This invocation's (batch, head) and first row: a workgroup holds one head's tile of WG·R rows; lane l takes rows
// first + r·WG. ok = false for a workgroup past the last block (rows past T are clamped by row()).
fn locate(wg: vec3<u32>, nwg: vec3<u32>, li: u32) -> Rows {
  let block = wg.y * nwg.x + wg.x;
  let tiles = (p.t + WG * R - 1u) / (WG * R);
  let bh = block / tiles;
  return Rows(block < p.blocks, bh / p.heads, bh % p.heads, bh, (block % tiles) * WG * R + li);
}

// Row r of the invocation, clamped inside T (a clamped row computes a duplicate and writes nothing).
fn row(rs: Rows, r: u32) -> u32 { return min(rs.first + r * WG, p.t - 1u); }
fn row_valid(rs: Rows, r: u32) -> bool { return rs.first + r * WG < p.t; }

// First vec4 of head h's row for token i of batch b in a [B, T, H·D4] tensor.
fn row_base(b: u32, i: u32, h: u32) -> u32 { return ((b * p.t + i) * p.heads + h) * D4; }

fn key_masked(b: u32, j: u32) -> bool { return p.has_mask != 0u && mask[b * p.t + j] == 0; }

// keep(i, j) / (1 − p), or 0 where dropped; 1 without dropout. `e` indexes [B, H, T, T].
fn dropout_scale(e: u32) -> f32 {
  if (p.p == 0.0) { return 1.0; }
  let kept = dropout_uniform01(p.seed_lo, p.seed_hi, p.offset, e) >= p.p;
  return select(0.0, 1.0 / (1.0 - p.p), kept);
}

fn hsum(x: vec4<f32>) -> f32 { return (x.x + x.y) + (x.z + x.w); }

// s_ij from Σ_d q_i[d]·k_j[d] (vec4 partial sums in d order): every kernel accumulates the same products in the same
// order, so the backward recomputes the forward's P bit for bit.
fn score(dot4: vec4<f32>, masked: bool) -> f32 { return select(p.scale * hsum(dot4), F32_MIN, masked); }

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let rs = locate(wg, nwg, li);
  if (!rs.ok) { return; }
  var qv: array<vec4<f32>, R * D4>;  // row r's q at r·D4
  var acc: array<vec4<f32>, R * D4>;
  var m: array<f32, R>; // running max (starts at the masked value, so an all-masked row still averages)
  var l: array<f32, R>; // running Σ exp(s − m), without dropout (dropout scales the numerator only)
  var w: array<f32, R>;
  var kv: array<vec4<f32>, D4>;
  for (var r = 0u; r < R; r++) {
    let qb = row_base(rs.b, row(rs, r), rs.h);
    for (var d = 0u; d < D4; d++) { qv[r * D4 + d] = q[qb + d]; acc[r * D4 + d] = vec4<f32>(0.0); }
    m[r] = F32_MIN;
    l[r] = 0.0;
  }
  for (var j = 0u; j < p.t; j++) {
    let kb = row_base(rs.b, j, rs.h);
    let masked = key_masked(rs.b, j);
    for (var d = 0u; d < D4; d++) { kv[d] = k[kb + d]; }
    var rescale: array<f32, R>;
    for (var r = 0u; r < R; r++) {
      var qk = vec4<f32>(0.0);
      for (var d = 0u; d < D4; d++) { qk += qv[r * D4 + d] * kv[d]; }
      let s = score(qk, masked);
      let m_new = max(m[r], s);
      rescale[r] = exp(m[r] - m_new);
      let e = exp(s - m_new);
      l[r] = l[r] * rescale[r] + e;
      w[r] = e * dropout_scale((rs.bh * p.t + row(rs, r)) * p.t + j);
      m[r] = m_new;
    }
    for (var d = 0u; d < D4; d++) {
      let vd = v[kb + d];
      for (var r = 0u; r < R; r++) { acc[r * D4 + d] = acc[r * D4 + d] * rescale[r] + w[r] * vd; }
    }
  }
  for (var r = 0u; r < R; r++) {
    if (!row_valid(rs, r)) { continue; }
    let i = row(rs, r);
    let qb = row_base(rs.b, i, rs.h);
    let inv_l = 1.0 / l[r];
    for (var d = 0u; d < D4; d++) { o[qb + d] = acc[r * D4 + d] * inv_l; }
    stats[rs.bh * p.t + i] = vec4<f32>(m[r], inv_l, 0.0, 0.0);
  }
}

@compute @workgroup_size(WG)
fn backward_dq(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let rs = locate(wg, nwg, li);
  if (!rs.ok) { return; }
  var qv: array<vec4<f32>, R * D4>;
  var gv: array<vec4<f32>, R * D4>;
  var acc: array<vec4<f32>, R * D4>;
  var dlt: array<f32, R>;
  var st: array<vec4<f32>, R>;
  var kv: array<vec4<f32>, D4>;
  var vv: array<vec4<f32>, D4>;
  var ds: array<f32, R>;
  for (var r = 0u; r < R; r++) {
    let i = row(rs, r);
    let qb = row_base(rs.b, i, rs.h);
    var dsum = vec4<f32>(0.0);
    for (var d = 0u; d < D4; d++) {
      qv[r * D4 + d] = q[qb + d];
      gv[r * D4 + d] = dout[qb + d];
      acc[r * D4 + d] = vec4<f32>(0.0);
      dsum += gv[r * D4 + d] * o[qb + d];
    }
    dlt[r] = hsum(dsum);
    st[r] = stats[rs.bh * p.t + i];
  }
  for (var j = 0u; j < p.t; j++) {
    let kb = row_base(rs.b, j, rs.h);
    let masked = key_masked(rs.b, j);
    for (var d = 0u; d < D4; d++) { kv[d] = k[kb + d]; vv[d] = v[kb + d]; }
    for (var r = 0u; r < R; r++) {
      var qk = vec4<f32>(0.0);
      var dpv = vec4<f32>(0.0);
      for (var d = 0u; d < D4; d++) { qk += qv[r * D4 + d] * kv[d]; dpv += gv[r * D4 + d] * vv[d]; }
      let prob = exp(score(qk, masked) - st[r].x) * st[r].y;
      let e = (rs.bh * p.t + row(rs, r)) * p.t + j;
      ds[r] = select(prob * (hsum(dpv) * dropout_scale(e) - dlt[r]), 0.0, masked);
    }
    for (var d = 0u; d < D4; d++) {
      for (var r = 0u; r < R; r++) { acc[r * D4 + d] += ds[r] * kv[d]; }
    }
  }
  for (var r = 0u; r < R; r++) {
    if (!row_valid(rs, r)) { continue; }
    let i = row(rs, r);
    let qb = row_base(rs.b, i, rs.h);
    for (var d = 0u; d < D4; d++) { dq[qb + d] = acc[r * D4 + d] * p.scale; }
    stats[rs.bh * p.t + i].z = dlt[r]; // Δ for backward_dkdv (this row is only this invocation's)
  }
}

@compute @workgroup_size(WG)
fn backward_dkdv(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let rs = locate(wg, nwg, li); // rows are key rows j here
  if (!rs.ok) { return; }
  var kv: array<vec4<f32>, R * D4>;
  var vv: array<vec4<f32>, R * D4>;
  var gk: array<vec4<f32>, R * D4>;
  var gv: array<vec4<f32>, R * D4>;
  var masked: array<bool, R>;
  var qv: array<vec4<f32>, D4>;
  var gq: array<vec4<f32>, D4>;
  var pk: array<f32, R>; // P̃_ij = P_ij · keep_ij / (1 − p)
  var ds: array<f32, R>;
  for (var r = 0u; r < R; r++) {
    let j = row(rs, r);
    let kb = row_base(rs.b, j, rs.h);
    masked[r] = key_masked(rs.b, j);
    for (var d = 0u; d < D4; d++) {
      kv[r * D4 + d] = k[kb + d];
      vv[r * D4 + d] = v[kb + d];
      gk[r * D4 + d] = vec4<f32>(0.0);
      gv[r * D4 + d] = vec4<f32>(0.0);
    }
  }
  for (var i = 0u; i < p.t; i++) {
    let qb = row_base(rs.b, i, rs.h);
    for (var d = 0u; d < D4; d++) { qv[d] = q[qb + d]; gq[d] = dout[qb + d]; }
    let qrow = rs.bh * p.t + i;
    let st = stats[qrow];
    for (var r = 0u; r < R; r++) {
      var qk = vec4<f32>(0.0);
      var dpv = vec4<f32>(0.0);
      for (var d = 0u; d < D4; d++) { qk += qv[d] * kv[r * D4 + d]; dpv += gq[d] * vv[r * D4 + d]; }
      let prob = exp(score(qk, masked[r]) - st.x) * st.y;
      let keep = dropout_scale(qrow * p.t + row(rs, r));
      pk[r] = prob * keep;
      ds[r] = select(prob * (hsum(dpv) * keep - st.z), 0.0, masked[r]);
    }
    for (var d = 0u; d < D4; d++) {
      for (var r = 0u; r < R; r++) {
        gv[r * D4 + d] += pk[r] * gq[d];
        gk[r * D4 + d] += ds[r] * qv[d];
      }
    }
  }
  for (var r = 0u; r < R; r++) {
    if (!row_valid(rs, r)) { continue; }
    let kb = row_base(rs.b, row(rs, r), rs.h);
    for (var d = 0u; d < D4; d++) { dk[kb + d] = gk[r * D4 + d] * p.scale; dv[kb + d] = gv[r * D4 + d]; }
  }
}
