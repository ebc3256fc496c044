// layernorm: y = (x − mean) · rstd · gamma + beta per row, rstd = 1/sqrt(var + eps) (biased variance, as torch).
// Saves mean and rstd per row for the backward. One workgroup of 64 per row; two passes over the row (mean,
// then centred variance) for accuracy.
// Bindings: 0 x (read, [rows, cols]); 1 gamma (read, [cols]); 2 beta (read, [cols]); 3 y (read_write, [rows, cols]);
//           4 stats (read_write, [rows, 2] = mean, rstd); 5 uniforms {rows, cols, eps}.
// Dispatch: x·y workgroups = rows.

struct Params { rows: u32, cols: u32, eps: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> beta: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

const WG: u32 = 64u;
var<workgroup> scratch: array<f32, WG>;

fn sum_all(li: u32, v: f32) -> f32 {
  scratch[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (li < s) { scratch[li] += scratch[li + s]; }
    workgroupBarrier();
  }
  let r = scratch[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  let base = row * p.cols;
  var s = 0.0;
  for (var c = li; c < p.cols; c += WG) { s += x[base + c]; }
  let mean = sum_all(li, s) / f32(p.cols);
  var v = 0.0;
  for (var c = li; c < p.cols; c += WG) { let d = x[base + c] - mean; v += d * d; }
  let rstd = inverseSqrt(sum_all(li, v) / f32(p.cols) + p.eps);
  for (var c = li; c < p.cols; c += WG) {
    y[base + c] = (x[base + c] - mean) * rstd * gamma[c] + beta[c];
  }
  if (li == 0u) { stats[2u * row] = mean; stats[2u * row + 1u] = rstd; }
}
