// layernorm_backward, two entry points.
// dx: one workgroup of 64 per row, x̂ = (x − mean)·rstd, g = dy·gamma:
//     dx = rstd · (g − mean(g) − x̂ · mean(g·x̂))
// dparams: one invocation per column, summing over rows in a fixed order (deterministic, no atomics):
//     dgamma[c] = Σ_r dy·x̂,  dbeta[c] = Σ_r dy
// Bindings: 0 x (read); 1 gamma (read); 2 dy (read); 3 stats (read, [rows, 2]); 4 dx (read_write, [rows, cols]);
//           5 dgamma (read_write, [cols]); 6 dbeta (read_write, [cols]); 7 uniforms {rows, cols}.
// Dispatch: dx: rows workgroups; dparams: ceil(cols / 64) workgroups.

struct Params { rows: u32, cols: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> stats: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
@group(0) @binding(5) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(6) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(7) var<uniform> p: Params;

const WG: u32 = 64u;
var<workgroup> s1: array<f32, WG>;
var<workgroup> s2: array<f32, WG>;

@compute @workgroup_size(64)
fn input_grad(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  let base = row * p.cols;
  let mean = stats[2u * row];
  let rstd = stats[2u * row + 1u];
  var a = 0.0;
  var b = 0.0;
  for (var c = li; c < p.cols; c += WG) {
    let g = dy[base + c] * gamma[c];
    a += g;
    b += g * (x[base + c] - mean) * rstd;
  }
  s1[li] = a;
  s2[li] = b;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (li < s) { s1[li] += s1[li + s]; s2[li] += s2[li + s]; }
    workgroupBarrier();
  }
  let mean_g = s1[0] / f32(p.cols);
  let mean_gx = s2[0] / f32(p.cols);
  for (var c = li; c < p.cols; c += WG) {
    let xh = (x[base + c] - mean) * rstd;
    dx[base + c] = rstd * (dy[base + c] * gamma[c] - mean_g - xh * mean_gx);
  }
}

@compute @workgroup_size(64)
fn param_grad(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.cols) { return; }
  var dg = 0.0;
  var db = 0.0;
  for (var r = 0u; r < p.rows; r++) {
    let g = dy[r * p.cols + c];
    dg += g * (x[r * p.cols + c] - stats[2u * r]) * stats[2u * r + 1u];
    db += g;
  }
  dgamma[c] = dg;
  dbeta[c] = db;
}
