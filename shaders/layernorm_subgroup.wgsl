// layernorm_subgroup: layernorm.wgsl's forward and layernorm_backward.wgsl's input gradient for rows streamed from
// memory (rows too long to hold in registers; shorter rows take the generated kernels of src/ops/layernorm_gen.ts),
// with one row per workgroup of exactly one subgroup (WG = the adapter's fixed subgroup size), vec4 loads
// (cols % 4 == 0) and subgroupAdd reductions: no workgroup memory, no barriers. Same math: two passes for mean and centred variance
// (biased, eps inside the sqrt); saves (mean, rstd) per row; dx = rstd · (g − mean(g) − x̂ · mean(g·x̂)), g = dy·gamma.
// Entry points:
//   forward:    0 x (read, vec4 [rows, cols/4]); 1 gamma (read, vec4); 2 beta (read, vec4); 3 y (read_write, vec4);
//               4 stats (read_write, [rows, 2]); 9 uniforms.
//   input_grad: 0 x; 1 gamma; 5 dy (read, vec4); 4 stats (read); 6 dx (read_write, vec4); 7 part_g, 8 part_b
//               (read_write, vec4 [groups, cols/4]: with PARAMS, workgroup w's sums over its ROWS rows of dy·x̂ and
//               dy, the dgamma/dbeta partials, so x and dy are read once for all three gradients; bound but unused
//               otherwise); 9 uniforms.
// Uniforms {rows, cols4, eps}. Dispatch: forward one workgroup per row, input_grad ceil(rows / ROWS) (x·y); a row is
// re-read from memory per pass.

enable subgroups;
override WG: u32 = 8u;
// Rows per workgroup of input_grad.
override ROWS: u32 = 1u;
// Streamed input_grad also writes the dgamma/dbeta partials of its ROWS rows (a specialization constant: off, the
// code folds).
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
  let row = wg.y * nwg.x + wg.x;
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
