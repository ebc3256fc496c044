// softmax: y = softmax(scale·x) (or log-softmax, LOG=1) along the last axis, one workgroup of 64 per row.
// Masked keys (mask[b, k] == 0) get scores replaced by the float32 minimum before the softmax, exactly as Hugging
// Face's eager attention does, so an all-masked row is uniform instead of NaN.
// Bindings: 0 x (read, [rows, cols]); 1 mask (read, array<i32> [rows / rows_per_mask, cols] or a dummy);
//           2 y (read_write, [rows, cols]); 3 uniforms {rows, cols, rows_per_mask, has_mask, scale}.
// Dispatch: x·y workgroups = rows (x folded past 65535).

override LOG: u32 = 0u;
struct Params { rows: u32, cols: u32, rows_per_mask: u32, has_mask: u32, scale: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> mask: array<i32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

const WG: u32 = 64u;
const F32_MIN: f32 = -3.4028234663852886e38;
var<workgroup> scratch: array<f32, WG>;

fn score(row: u32, col: u32) -> f32 {
  if (p.has_mask == 1u && mask[(row / p.rows_per_mask) * p.cols + col] == 0) { return F32_MIN; }
  return p.scale * x[row * p.cols + col];
}

fn reduce(li: u32, v: f32, is_max: bool) -> f32 {
  scratch[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (li < s) {
      scratch[li] = select(scratch[li] + scratch[li + s], max(scratch[li], scratch[li + s]), is_max);
    }
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
  var m = F32_MIN;
  for (var c = li; c < p.cols; c += WG) { m = max(m, score(row, c)); }
  m = reduce(li, m, true);
  var s = 0.0;
  for (var c = li; c < p.cols; c += WG) { s += exp(score(row, c) - m); }
  s = reduce(li, s, false);
  let log_s = log(s);
  for (var c = li; c < p.cols; c += WG) {
    let z = score(row, c) - m;
    y[row * p.cols + c] = select(exp(z) / s, z - log_s, LOG == 1u);
  }
}
