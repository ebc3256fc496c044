// softmax_subgroup: softmax.wgsl and softmax_backward.wgsl with one row per workgroup of exactly one subgroup
// (WG = the adapter's fixed subgroup size), vec4 loads (cols % 4 == 0) and subgroupMax/subgroupAdd reductions: no
// workgroup memory, no barriers. Same semantics as the generic kernels (masked scores become float32's minimum; the
// backward gives masked keys a zero gradient). The forward is online: one pass for max and sum, one to write.
// Entry points:
//   forward:  0 x (read, vec4 [rows, cols/4]); 1 mask (read, vec4<i32> [rows / rows_per_mask, cols/4] or dummy);
//             2 y (read_write); 5 uniforms.
//   backward: 2 y (read); 3 dy (read); 4 dx (read_write); 1 mask (as forward); 5 uniforms.
// Uniforms {rows, cols4, rows_per_mask, has_mask, scale}. Dispatch: x·y workgroups = rows (x folded past the limit).

enable subgroups;
override LOG: u32 = 0u;
override WG: u32 = 8u;
struct Params { rows: u32, cols4: u32, rows_per_mask: u32, has_mask: u32, scale: f32 }
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> mask: array<vec4<i32>>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> dx: array<vec4<f32>>;
@group(0) @binding(5) var<uniform> p: Params;

const F32_MIN: f32 = -3.4028234663852886e38;

fn masked(row: u32, c4: u32) -> vec4<bool> {
  if (p.has_mask == 0u) { return vec4<bool>(false); }
  return mask[(row / p.rows_per_mask) * p.cols4 + c4] == vec4<i32>(0);
}

fn scores(row: u32, c4: u32) -> vec4<f32> {
  return select(p.scale * x[row * p.cols4 + c4], vec4<f32>(F32_MIN), masked(row, c4));
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = wg.y * nwg.x + wg.x; // uniform across the workgroup (= the subgroup)
  if (row >= p.rows) { return; }
  // Online max and sum in one pass (each lane rescales its running sum when its max grows), then one pass to write:
  // two reads of x (and of the mask) per element, fewer memory instructions than max / sum / normalise passes.
  var m = F32_MIN;
  var s = 0.0;
  for (var c = li; c < p.cols4; c += WG) {
    let v = scores(row, c);
    let mn = max(m, max(max(v.x, v.y), max(v.z, v.w)));
    let e = exp(v - vec4<f32>(mn));
    s = s * exp(m - mn) + (e.x + e.y) + (e.z + e.w);
    m = mn;
  }
  let row_max = subgroupMax(m);
  let total = subgroupAdd(s * exp(m - row_max));
  let log_total = log(total);
  let inv = 1.0 / total;
  for (var c = li; c < p.cols4; c += WG) {
    let z = scores(row, c) - vec4<f32>(row_max);
    y[row * p.cols4 + c] = select(exp(z) * inv, z - vec4<f32>(log_total), LOG == 1u);
  }
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= p.rows) { return; }
  let base = row * p.cols4;
  var s = vec4<f32>(0.0);
  for (var c = li; c < p.cols4; c += WG) {
    let g = dy[base + c];
    s += select(g * y[base + c], g, LOG == 1u);
  }
  let total = subgroupAdd((s.x + s.y) + (s.z + s.w));
  for (var c = li; c < p.cols4; c += WG) {
    let v = y[base + c];
    let g = dy[base + c];
    let d = p.scale * select(v * (g - vec4<f32>(total)), g - exp(v) * total, LOG == 1u);
    dx[base + c] = select(d, vec4<f32>(0.0), masked(row, c));
  }
}
