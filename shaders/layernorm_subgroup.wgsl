// layernorm_subgroup: layernorm.wgsl's forward and layernorm_backward.wgsl's input gradient with one row per
// workgroup of exactly one subgroup (WG = the adapter's fixed subgroup size), vec4 loads (cols % 4 == 0) and
// subgroupAdd reductions: no workgroup memory, no barriers. Same math: two passes for mean and centred variance
// (biased, eps inside the sqrt); saves (mean, rstd) per row; dx = rstd · (g − mean(g) − x̂ · mean(g·x̂)), g = dy·gamma.
// Entry points:
//   forward:    0 x (read, vec4 [rows, cols/4]); 1 gamma (read, vec4); 2 beta (read, vec4); 3 y (read_write, vec4);
//               4 stats (read_write, [rows, 2]); 9 uniforms.
//   input_grad: 0 x; 1 gamma; 5 dy (read, vec4); 4 stats (read); 6 dx (read_write, vec4); 7 part_g, 8 part_b
//               (read_write, vec4 [groups, cols/4]: with PARAMS, streamed rows only, workgroup w's sums over its ROWS
//               rows of dy·x̂ and dy, the dgamma/dbeta partials, so x and dy are read once for all three gradients;
//               bound but unused otherwise); 9 uniforms.
// Uniforms {rows, cols4, eps}. Dispatch: ceil(rows / ROWS) workgroups (x·y); held rows (HELD > 0) are read once into
// registers and gamma/beta read once per workgroup; streamed rows are re-read per pass.

enable subgroups;
override WG: u32 = 8u;
// Row vec4s per lane held in registers (ceil(cols4 / WG) ≤ MAX_HELD), or 0 to stream the row from memory per pass.
// A constant per pipeline, so the loops over it unroll and the array indices are static.
override HELD: u32 = 0u;
const MAX_HELD: u32 = 32u;
// Rows per workgroup on the held path: gamma (and beta) are loaded once for all of them.
override ROWS: u32 = 1u;
// Streamed input_grad also writes the dgamma/dbeta partials of its ROWS rows (a specialization constant: off, the
// code folds). Held rows keep a separate parameter pass: summing the partials there too needs two more register
// arrays per lane, which spill (measured slower on lavapipe; bench/README.md).
override PARAMS: bool = false;
struct Params { rows: u32, cols4: u32, eps: f32 }
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> gamma: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> beta: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> dx: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> part_g: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> part_b: array<vec4<f32>>;
@group(0) @binding(9) var<uniform> p: Params;

fn hsum(v: vec4<f32>) -> f32 { return (v.x + v.y) + (v.z + v.w); }

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let group = wg.y * nwg.x + wg.x;
  if (HELD > 0u) {
    forward_held(group * ROWS, li);
    return;
  }
  let row = group;
  if (row >= p.rows) { return; }
  let base = row * p.cols4;
  let n = f32(p.cols4 * 4u);
  var s = vec4<f32>(0.0);
  for (var c = li; c < p.cols4; c += WG) { s += x[base + c]; }
  let mean = subgroupAdd(hsum(s)) / n;
  var v = vec4<f32>(0.0);
  for (var c = li; c < p.cols4; c += WG) { let d = x[base + c] - vec4<f32>(mean); v += d * d; }
  let rstd = inverseSqrt(subgroupAdd(hsum(v)) / n + p.eps);
  for (var c = li; c < p.cols4; c += WG) {
    y[base + c] = (x[base + c] - vec4<f32>(mean)) * rstd * gamma[c] + beta[c];
  }
  if (li == 0u) { stats[2u * row] = mean; stats[2u * row + 1u] = rstd; }
}

@compute @workgroup_size(WG)
fn input_grad(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let group = wg.y * nwg.x + wg.x;
  if (group * ROWS >= p.rows) { return; }
  if (HELD > 0u) {
    input_grad_held(group * ROWS, li);
    return;
  }
  let n = f32(p.cols4 * 4u);
  let part = group * p.cols4;
  for (var r = 0u; r < ROWS; r++) {
    let row = group * ROWS + r;
    if (row >= p.rows) { break; }
    let base = row * p.cols4;
    let mean = stats[2u * row];
    let rstd = stats[2u * row + 1u];
    var a = vec4<f32>(0.0);
    var b = vec4<f32>(0.0);
    for (var c = li; c < p.cols4; c += WG) {
      let g = dy[base + c] * gamma[c];
      a += g;
      b += g * (x[base + c] - vec4<f32>(mean)) * rstd;
    }
    let mean_g = subgroupAdd(hsum(a)) / n;
    let mean_gx = subgroupAdd(hsum(b)) / n;
    for (var c = li; c < p.cols4; c += WG) {
      let xh = (x[base + c] - vec4<f32>(mean)) * rstd;
      let d = dy[base + c];
      dx[base + c] = rstd * (d * gamma[c] - vec4<f32>(mean_g) - xh * mean_gx);
      if (PARAMS) {
        // This lane alone reads and writes part[c] of its workgroup's partial row: no barrier needed.
        if (r == 0u) { part_g[part + c] = d * xh; part_b[part + c] = d; }
        else { part_g[part + c] += d * xh; part_b[part + c] += d; }
      }
    }
  }
}

// The forward over ROWS rows from `first`, each row held in registers (one read), gamma and beta read once.
fn forward_held(first: u32, li: u32) {
  var g: array<vec4<f32>, MAX_HELD>;
  var bt: array<vec4<f32>, MAX_HELD>;
  var xv: array<vec4<f32>, MAX_HELD>;
  for (var u = 0u; u < HELD; u++) {
    let c = min(li + u * WG, p.cols4 - 1u);
    g[u] = gamma[c];
    bt[u] = beta[c];
  }
  let n = f32(p.cols4 * 4u);
  for (var r = 0u; r < ROWS; r++) {
    let row = first + r;
    if (row >= p.rows) { return; }
    let base = row * p.cols4;
    var s = vec4<f32>(0.0);
    for (var u = 0u; u < HELD; u++) {
      let c = li + u * WG;
      xv[u] = vec4<f32>(0.0);
      if (c < p.cols4) { xv[u] = x[base + c]; }
      s += xv[u];
    }
    let mean = subgroupAdd(hsum(s)) / n;
    var v = vec4<f32>(0.0);
    for (var u = 0u; u < HELD; u++) {
      let d = select(xv[u] - vec4<f32>(mean), vec4<f32>(0.0), li + u * WG >= p.cols4); // padding adds nothing
      v += d * d;
    }
    let rstd = inverseSqrt(subgroupAdd(hsum(v)) / n + p.eps);
    for (var u = 0u; u < HELD; u++) {
      let c = li + u * WG;
      if (c < p.cols4) { y[base + c] = (xv[u] - vec4<f32>(mean)) * rstd * g[u] + bt[u]; }
    }
    if (li == 0u) { stats[2u * row] = mean; stats[2u * row + 1u] = rstd; }
  }
}

// The input gradient over ROWS rows from `first`: x and dy rows held in registers (one read each), gamma read once.
fn input_grad_held(first: u32, li: u32) {
  var g: array<vec4<f32>, MAX_HELD>;
  var xh: array<vec4<f32>, MAX_HELD>;
  var gy: array<vec4<f32>, MAX_HELD>;
  for (var u = 0u; u < HELD; u++) { g[u] = gamma[min(li + u * WG, p.cols4 - 1u)]; }
  let n = f32(p.cols4 * 4u);
  for (var r = 0u; r < ROWS; r++) {
    let row = first + r;
    if (row >= p.rows) { return; }
    let base = row * p.cols4;
    let mean = stats[2u * row];
    let rstd = stats[2u * row + 1u];
    var a = vec4<f32>(0.0);
    var b = vec4<f32>(0.0);
    for (var u = 0u; u < HELD; u++) {
      let c = li + u * WG;
      xh[u] = vec4<f32>(0.0);
      gy[u] = vec4<f32>(0.0);
      if (c < p.cols4) {
        xh[u] = (x[base + c] - vec4<f32>(mean)) * rstd;
        gy[u] = dy[base + c] * g[u];
      }
      a += gy[u];
      b += gy[u] * xh[u];
    }
    let mean_g = subgroupAdd(hsum(a)) / n;
    let mean_gx = subgroupAdd(hsum(b)) / n;
    for (var u = 0u; u < HELD; u++) {
      let c = li + u * WG;
      if (c < p.cols4) { dx[base + c] = rstd * (gy[u] - vec4<f32>(mean_g) - xh[u] * mean_gx); }
    }
  }
}
