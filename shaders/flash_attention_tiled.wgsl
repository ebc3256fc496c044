// flash_attention_tiled: flash_attention.wgsl's three kernels (the same maths, values and dropout mask) with the K/V
// rows (forward, backward_dq) or the Q/dO rows and their stats (backward_dkdv) staged in workgroup memory, BC rows at a
// time, by all WG threads together: each row is read from storage once per workgroup instead of once per thread, and
// every thread then reads it from workgroup memory (the same address for all: a broadcast). The GPU kernels (on
// lavapipe workgroup memory costs a per-lane loop, so it keeps flash_attention.wgsl). One row per thread on GPUs (R).
// Bindings, uniforms and dispatch: flash_attention.wgsl's (the helpers in flash_attention_common.wgsl, prepended);
// prepended too: `const D4`, `const R`, `const BC` (rows per staged tile, sized to the workgroup memory limit).
// Workgroup memory: two tiles of BC·D4 vec4s, BC stats (vec4) and BC mask flags.

var<workgroup> ta: array<vec4<f32>, BC * D4>; // K (forward, backward_dq) or Q (backward_dkdv)
var<workgroup> tb: array<vec4<f32>, BC * D4>; // V, or dO
var<workgroup> tstat: array<vec4<f32>, BC>;   // backward_dkdv: the query rows' (m, 1/l, Δ)
var<workgroup> tmask: array<u32, BC>;         // forward, backward_dq: 1 where key j0 + jj is masked

// Keys j0 … j0 + BC − 1 of (b, h) into ta (K), tb (V) and tmask; rows past T repeat the last (never used).
fn stage_keys(b: u32, h: u32, j0: u32, li: u32) {
  for (var e = li; e < BC * D4; e += WG) {
    let at = row_base(b, min(j0 + e / D4, p.t - 1u), h) + e % D4;
    ta[e] = k[at];
    tb[e] = v[at];
  }
  for (var e = li; e < BC; e += WG) { tmask[e] = select(0u, 1u, key_masked(b, min(j0 + e, p.t - 1u))); }
}

// Queries i0 … i0 + BC − 1 of (b, h) into ta (Q), tb (dO) and tstat (their stats row).
fn stage_queries(b: u32, h: u32, bh: u32, i0: u32, li: u32) {
  for (var e = li; e < BC * D4; e += WG) {
    let at = row_base(b, min(i0 + e / D4, p.t - 1u), h) + e % D4;
    ta[e] = q[at];
    tb[e] = dout[at];
  }
  for (var e = li; e < BC; e += WG) { tstat[e] = stats[bh * p.t + min(i0 + e, p.t - 1u)]; }
}

// Whether this workgroup holds rows (tested on the workgroup id alone, so the barriers after it stay uniform).
fn live(wg: vec3<u32>, nwg: vec3<u32>) -> bool { return wg.y * nwg.x + wg.x < p.blocks; }

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  if (!live(wg, nwg)) { return; }
  let rs = locate(wg, nwg, li);
  var qv: array<vec4<f32>, R * D4>;
  var acc: array<vec4<f32>, R * D4>;
  var m: array<f32, R>;
  var l: array<f32, R>;
  var w: array<f32, R>;
  var kv: array<vec4<f32>, D4>;
  for (var r = 0u; r < R; r++) {
    let qb = row_base(rs.b, row(rs, r), rs.h);
    for (var d = 0u; d < D4; d++) { qv[r * D4 + d] = q[qb + d]; acc[r * D4 + d] = vec4<f32>(0.0); }
    m[r] = F32_MIN;
    l[r] = 0.0;
  }
  for (var j0 = 0u; j0 < p.t; j0 += BC) {
    workgroupBarrier(); // the previous tile is consumed
    stage_keys(rs.b, rs.h, j0, li);
    workgroupBarrier();
    for (var jj = 0u; jj < min(BC, p.t - j0); jj++) {
      let j = j0 + jj;
      let masked = tmask[jj] != 0u;
      for (var d = 0u; d < D4; d++) { kv[d] = ta[jj * D4 + d]; }
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
        let vd = tb[jj * D4 + d];
        for (var r = 0u; r < R; r++) { acc[r * D4 + d] = acc[r * D4 + d] * rescale[r] + w[r] * vd; }
      }
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
  if (!live(wg, nwg)) { return; }
  let rs = locate(wg, nwg, li);
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
  for (var j0 = 0u; j0 < p.t; j0 += BC) {
    workgroupBarrier();
    stage_keys(rs.b, rs.h, j0, li);
    workgroupBarrier();
    for (var jj = 0u; jj < min(BC, p.t - j0); jj++) {
      let j = j0 + jj;
      let masked = tmask[jj] != 0u;
      for (var d = 0u; d < D4; d++) { kv[d] = ta[jj * D4 + d]; vv[d] = tb[jj * D4 + d]; }
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
  if (!live(wg, nwg)) { return; }
  let rs = locate(wg, nwg, li); // rows are key rows j here
  var kv: array<vec4<f32>, R * D4>;
  var vv: array<vec4<f32>, R * D4>;
  var gk: array<vec4<f32>, R * D4>;
  var gv: array<vec4<f32>, R * D4>;
  var masked: array<bool, R>;
  var qv: array<vec4<f32>, D4>;
  var gq: array<vec4<f32>, D4>;
  var pk: array<f32, R>;
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
  for (var i0 = 0u; i0 < p.t; i0 += BC) {
    workgroupBarrier();
    stage_queries(rs.b, rs.h, rs.bh, i0, li);
    workgroupBarrier();
    for (var ii = 0u; ii < min(BC, p.t - i0); ii++) {
      let qrow = rs.bh * p.t + i0 + ii;
      for (var d = 0u; d < D4; d++) { qv[d] = ta[ii * D4 + d]; gq[d] = tb[ii * D4 + d]; }
      let st = tstat[ii];
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
  }
  for (var r = 0u; r < R; r++) {
    if (!row_valid(rs, r)) { continue; }
    let kb = row_base(rs.b, row(rs, r), rs.h);
    for (var d = 0u; d < D4; d++) { dk[kb + d] = gk[r * D4 + d] * p.scale; dv[kb + d] = gv[r * D4 + d]; }
  }
}
