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

// (Bindings, uniforms and helpers: flash_attention_common.wgsl, prepended.)

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
