// flash_attention: fused multi-head self-attention, forward and backward, with no [T, T] matrix in memory.
//   scores s_ij = scale · q_i·k_j (key j masked → float32's minimum, Hugging Face's masked_fill: an all-masked row
//   is uniform), P = softmax_j(s), P̃ = P ∘ keep / (1 − p) (dropout on the probabilities), o_i = Σ_j P̃_ij v_j.
// Heads are read in place from [B, T, H·D] projections and o is written in that layout (no transposes).
// forward: one invocation per query row, online softmax (running max m and sum l); saves (m, 1/l) per row.
// backward (FlashAttention-2 style, two kernels because WGSL has no float atomics):
//   backward_dq:   per query row i: Δ_i = dO_i·o_i (= Σ_j P_ij dP_ij, dropout included), dq_i = scale Σ_j dS_ij k_j,
//                  dS_ij = P_ij (dP_ij − Δ_i), dP_ij = keep_ij/(1 − p) · dO_i·v_j; masked keys get dS = 0.
//   backward_dkdv: per key row j: dv_j = Σ_i P̃_ij dO_i, dk_j = scale Σ_i dS_ij q_i (reads Δ that backward_dq left in stats).
// The dropout mask is recomputed from (seed, offset, index of (b, h, i, j) in [B, H, T, T]) with dropout_hash.wgsl,
// so it is the very mask the unfused dropout(softmax(scores)) path draws from the same counter range.
// Bindings (vec4 rows: D4 = D / 4 vec4s per head row, D4 is a const prepended by the op):
//   0 q, 1 k, 2 v (read, vec4 [B, T, H·D4]); 3 mask (read, i32 [B, T], or a dummy when has_mask = 0);
//   4 o (read_write, vec4 [B, T, H·D4]: forward writes, backward_dq reads);
//   5 stats (read_write, vec4 [B·H·T]: (m, 1/l) from the forward, Δ added by backward_dq, 0);
//   6 dout (read, vec4 [B, T, H·D4]); 7 dq, 8 dk, 9 dv (read_write, vec4 [B, T, H·D4]);
//   10 uniforms {t, heads, blocks, has_mask, scale, p, seed_lo, seed_hi, offset}.
// At most 8 storage buffers per entry point (WebGPU's default limit), hence Δ rides in stats.
// Dispatch: blocks = B·H·ceil(T / WG) workgroups of WG (x·y folded); block → (b, h, rows tile).
// Prepended with dropout_hash.wgsl and `const D4: u32`.

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

struct Row { ok: bool, b: u32, h: u32, bh: u32, i: u32 }

// This invocation's (batch, head, row) from its workgroup (one head's tile of WG consecutive rows) and lane.
fn locate(wg: vec3<u32>, nwg: vec3<u32>, li: u32) -> Row {
  let block = wg.y * nwg.x + wg.x;
  let tiles = (p.t + WG - 1u) / WG;
  let bh = block / tiles;
  let i = (block % tiles) * WG + li;
  return Row(block < p.blocks && i < p.t, bh / p.heads, bh % p.heads, bh, i);
}

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
  let r = locate(wg, nwg, li);
  if (!r.ok) { return; }
  let qb = row_base(r.b, r.i, r.h);
  var qv: array<vec4<f32>, D4>;
  var acc: array<vec4<f32>, D4>;
  for (var d = 0u; d < D4; d++) { qv[d] = q[qb + d]; acc[d] = vec4<f32>(0.0); }
  var m = F32_MIN; // running max (starts at the masked value, so an all-masked row still averages)
  var l = 0.0;     // running Σ exp(s − m), without dropout (dropout scales the numerator only)
  let drop_row = (r.bh * p.t + r.i) * p.t;
  for (var j = 0u; j < p.t; j++) {
    let kb = row_base(r.b, j, r.h);
    var qk = vec4<f32>(0.0);
    for (var d = 0u; d < D4; d++) { qk += qv[d] * k[kb + d]; }
    let s = score(qk, key_masked(r.b, j));
    let m_new = max(m, s);
    let rescale = exp(m - m_new);
    let e = exp(s - m_new);
    l = l * rescale + e;
    let w = e * dropout_scale(drop_row + j);
    for (var d = 0u; d < D4; d++) { acc[d] = acc[d] * rescale + w * v[kb + d]; }
    m = m_new;
  }
  let inv_l = 1.0 / l;
  for (var d = 0u; d < D4; d++) { o[qb + d] = acc[d] * inv_l; }
  stats[r.bh * p.t + r.i] = vec4<f32>(m, inv_l, 0.0, 0.0);
}

@compute @workgroup_size(WG)
fn backward_dq(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let r = locate(wg, nwg, li);
  if (!r.ok) { return; }
  let qb = row_base(r.b, r.i, r.h);
  var qv: array<vec4<f32>, D4>;
  var gv: array<vec4<f32>, D4>;
  var acc: array<vec4<f32>, D4>;
  var dsum = vec4<f32>(0.0);
  for (var d = 0u; d < D4; d++) {
    qv[d] = q[qb + d];
    gv[d] = dout[qb + d];
    acc[d] = vec4<f32>(0.0);
    dsum += gv[d] * o[qb + d];
  }
  let row = r.bh * p.t + r.i;
  let dlt = hsum(dsum);
  let st = stats[row];
  for (var j = 0u; j < p.t; j++) {
    let kb = row_base(r.b, j, r.h);
    let masked = key_masked(r.b, j);
    var qk = vec4<f32>(0.0);
    for (var d = 0u; d < D4; d++) { qk += qv[d] * k[kb + d]; }
    let prob = exp(score(qk, masked) - st.x) * st.y;
    var dpv = vec4<f32>(0.0);
    for (var d = 0u; d < D4; d++) { dpv += gv[d] * v[kb + d]; }
    let ds = select(prob * (hsum(dpv) * dropout_scale(row * p.t + j) - dlt), 0.0, masked);
    for (var d = 0u; d < D4; d++) { acc[d] += ds * k[kb + d]; }
  }
  for (var d = 0u; d < D4; d++) { dq[qb + d] = acc[d] * p.scale; }
  stats[row].z = dlt; // Δ for backward_dkdv (this row is only this invocation's)
}

@compute @workgroup_size(WG)
fn backward_dkdv(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let r = locate(wg, nwg, li); // r.i is the key row j here
  if (!r.ok) { return; }
  let kb = row_base(r.b, r.i, r.h);
  let masked = key_masked(r.b, r.i);
  var kv: array<vec4<f32>, D4>;
  var vv: array<vec4<f32>, D4>;
  var qv: array<vec4<f32>, D4>;
  var gk: array<vec4<f32>, D4>;
  var gv: array<vec4<f32>, D4>;
  for (var d = 0u; d < D4; d++) { kv[d] = k[kb + d]; vv[d] = v[kb + d]; gk[d] = vec4<f32>(0.0); gv[d] = vec4<f32>(0.0); }
  for (var i = 0u; i < p.t; i++) {
    let qb = row_base(r.b, i, r.h);
    var qk = vec4<f32>(0.0);
    for (var d = 0u; d < D4; d++) { qv[d] = q[qb + d]; qk += qv[d] * kv[d]; }
    let row = r.bh * p.t + i;
    let st = stats[row];
    let prob = exp(score(qk, masked) - st.x) * st.y;
    let keep = dropout_scale(row * p.t + r.i);
    var dpv = vec4<f32>(0.0);
    for (var d = 0u; d < D4; d++) {
      let g = dout[qb + d];
      gv[d] += (prob * keep) * g;
      dpv += g * vv[d];
    }
    let ds = select(prob * (hsum(dpv) * keep - st.z), 0.0, masked);
    for (var d = 0u; d < D4; d++) { gk[d] += ds * qv[d]; }
  }
  for (var d = 0u; d < D4; d++) { dk[kb + d] = gk[d] * p.scale; dv[kb + d] = gv[d]; }
}
