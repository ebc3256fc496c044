// softmax_subgroup: softmax.wgsl and softmax_backward.wgsl with one row per workgroup of exactly one subgroup
// (WG = the adapter's fixed subgroup size), vec4 loads (cols % 4 == 0) and subgroupMax/subgroupAdd reductions: no
// workgroup memory, no barriers. Same semantics as the generic kernels (masked scores become float32's minimum; the
// backward gives masked keys a zero gradient). The forward holds a row of up to WG·MAX_HELD vec4s in registers (one
// read of x, each exp once); longer rows stream: one online pass for max and sum, one to write.
// Entry points:
//   forward:  0 x (read, vec4 [rows, cols/4]); 1 mask (read, vec4<i32> [rows / rows_per_mask, cols/4] or dummy);
//             2 y (read_write); 5 uniforms.
//   backward: 2 y (read); 3 dy (read); 4 dx (read_write); 1 mask (as forward); 5 uniforms.
// Uniforms {rows, cols4, rows_per_mask, has_mask, scale}. Dispatch: x·y workgroups = rows (x folded past the limit);
// the held forward (HELD > 0): ceil(rows / ROWS).

enable subgroups;
override LOG: u32 = 0u;
override WG: u32 = 8u;
// Row vec4s per lane held in registers by the forward (ceil(cols4 / WG) ≤ MAX_HELD), or 0 to stream the row twice.
// A constant per pipeline, so the loops over it unroll and the array indices are static (registers, not memory).
override HELD: u32 = 0u;
const MAX_HELD: u32 = 16u;
// Rows per workgroup on the held path: consecutive rows mostly share a mask row (B·…·T rows per mask row), which is
// then loaded once for all of them.
override ROWS: u32 = 1u;
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
  let group = wg.y * nwg.x + wg.x; // uniform across the workgroup (= the subgroup)
  if (HELD > 0u) {
    forward_held(group * ROWS, li);
    return;
  }
  let row = group;
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

// Which keys of this lane's held vec4s of `row` are masked (its mask row, read once per run of rows sharing it).
fn held_masked(row: u32, li: u32) -> array<vec4<bool>, MAX_HELD> {
  var drop: array<vec4<bool>, MAX_HELD>;
  for (var u = 0u; u < HELD; u++) { drop[u] = masked(row, min(li + u * WG, p.cols4 - 1u)); }
  return drop;
}

// The forward for rows of at most WG·MAX_HELD vec4s, ROWS rows from `first`: one read of x, each exp computed once,
// the mask row read once per run of rows that share it.
fn forward_held(first: u32, li: u32) {
  var z: array<vec4<f32>, MAX_HELD>;
  var e: array<vec4<f32>, MAX_HELD>;
  var drop: array<vec4<bool>, MAX_HELD>; // masked keys of mask row `held_mask`
  var held_mask = 0xffffffffu;
  for (var r = 0u; r < ROWS; r++) {
    let row = first + r;
    if (row >= p.rows) { return; }
    let mrow = row / p.rows_per_mask;
    if (mrow != held_mask) {
      held_mask = mrow;
      drop = held_masked(row, li);
    }
    var m = F32_MIN;
    for (var u = 0u; u < HELD; u++) {
      let c = li + u * WG;
      z[u] = vec4<f32>(F32_MIN);
      if (c < p.cols4) { z[u] = select(p.scale * x[row * p.cols4 + c], vec4<f32>(F32_MIN), drop[u]); }
      m = max(m, max(max(z[u].x, z[u].y), max(z[u].z, z[u].w)));
    }
    let row_max = subgroupMax(m);
    var s = 0.0;
    for (var u = 0u; u < HELD; u++) {
      z[u] -= vec4<f32>(row_max);
      e[u] = select(exp(z[u]), vec4<f32>(0.0), li + u * WG >= p.cols4); // padding adds nothing, even to an all-masked row
      s += (e[u].x + e[u].y) + (e[u].z + e[u].w);
    }
    let total = subgroupAdd(s);
    let log_total = log(total);
    let inv = 1.0 / total;
    for (var u = 0u; u < HELD; u++) {
      let c = li + u * WG;
      if (c < p.cols4) { y[row * p.cols4 + c] = select(e[u] * inv, z[u] - vec4<f32>(log_total), LOG == 1u); }
    }
  }
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let group = wg.y * nwg.x + wg.x;
  if (HELD > 0u) {
    backward_held(group * ROWS, li);
    return;
  }
  let row = group;
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

// The backward for held rows (as forward_held): y and dy read once, the mask row once per run of rows sharing it.
fn backward_held(first: u32, li: u32) {
  var yv: array<vec4<f32>, MAX_HELD>;
  var gv: array<vec4<f32>, MAX_HELD>;
  var drop: array<vec4<bool>, MAX_HELD>;
  var held_mask = 0xffffffffu;
  for (var r = 0u; r < ROWS; r++) {
    let row = first + r;
    if (row >= p.rows) { return; }
    let mrow = row / p.rows_per_mask;
    if (mrow != held_mask) {
      held_mask = mrow;
      drop = held_masked(row, li);
    }
    var s = vec4<f32>(0.0);
    for (var u = 0u; u < HELD; u++) {
      let c = li + u * WG;
      yv[u] = vec4<f32>(0.0);
      gv[u] = vec4<f32>(0.0);
      if (c < p.cols4) { yv[u] = y[row * p.cols4 + c]; gv[u] = dy[row * p.cols4 + c]; }
      s += select(gv[u] * yv[u], gv[u], LOG == 1u);
    }
    let total = subgroupAdd((s.x + s.y) + (s.z + s.w));
    for (var u = 0u; u < HELD; u++) {
      let c = li + u * WG;
      let d = p.scale * select(yv[u] * (gv[u] - vec4<f32>(total)), gv[u] - exp(yv[u]) * total, LOG == 1u);
      if (c < p.cols4) { dx[row * p.cols4 + c] = select(d, vec4<f32>(0.0), drop[u]); }
    }
  }
}
