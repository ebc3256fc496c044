// softmax_backward: from the saved output y and dy, one workgroup of 64 per row:
//   softmax:     dx = scale · y ⊙ (dy − Σ dy⊙y)
//   log-softmax: dx = scale · (dy − exp(y) Σ dy)          (LOG = 1)
// Masked keys (mask[b, k] == 0) get dx = 0: the forward replaced their scores by a constant (masked_fill), so no
// gradient reaches them (this matters for all-masked rows, where y is uniform, and for log-softmax).
// Bindings: 0 y (read, [rows, cols]); 1 dy (read); 2 dx (read_write); 3 mask (read, array<i32>
//           [rows / rows_per_mask, cols] or a dummy); 4 uniforms {rows, cols, scale, rows_per_mask, has_mask}.
// Dispatch: x·y workgroups = rows.

override LOG: u32 = 0u;
struct Params { rows: u32, cols: u32, scale: f32, rows_per_mask: u32, has_mask: u32 }
@group(0) @binding(0) var<storage, read> y: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<i32>;
@group(0) @binding(4) var<uniform> p: Params;

const WG: u32 = 64u;
var<workgroup> scratch: array<f32, WG>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  let base = row * p.cols;
  var s = 0.0;
  for (var c = li; c < p.cols; c += WG) {
    s += select(dy[base + c] * y[base + c], dy[base + c], LOG == 1u);
  }
  scratch[li] = s;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k / 2u) {
    if (li < k) { scratch[li] += scratch[li + k]; }
    workgroupBarrier();
  }
  let total = scratch[0];
  for (var c = li; c < p.cols; c += WG) {
    let v = y[base + c];
    let g = dy[base + c];
    let masked = p.has_mask == 1u && mask[(row / p.rows_per_mask) * p.cols + c] == 0;
    dx[base + c] = select(p.scale * select(v * (g - total), g - exp(v) * total, LOG == 1u), 0.0, masked);
  }
}
