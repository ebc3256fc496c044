// layernorm_backward_wide: all three LayerNorm gradients in one pass, rows of vec4s (cols % 4 == 0) held in
// registers across a workgroup of several subgroups. Same math as layernorm_subgroup.wgsl's input_grad:
// dx = rstd · (g − mean(g) − x̂ · mean(g·x̂)), g = dy·gamma; plus dgamma = Σ dy·x̂ and dbeta = Σ dy over the
// workgroup's ROWS rows, written as partials that colsum sums in workgroup order (deterministic).
// Why several subgroups per row: one subgroup holding a whole row keeps ~24 vec4s per lane in each of five arrays
// (gamma, x̂, g and the two partials), which spill; spread over WG lanes each lane holds HELD ≤ 12, and x and dy are
// read once for all three gradients. Row sums: subgroupAdd, then one slot per subgroup in workgroup memory, double
// buffered by row parity so one barrier per row suffices (a subgroup can only overwrite a slot after every subgroup
// has passed the next row's barrier, i.e. has read it).
// Bindings: 0 x (read, vec4 [rows, cols/4]); 1 gamma (read, vec4); 2 stats (read, [rows, 2]: mean, rstd);
//           3 dy (read, vec4); 4 dx (read_write, vec4); 5 part_g, 6 part_b (read_write, vec4 [groups, cols/4]);
//           7 uniforms {rows, cols4}.
// Dispatch: ceil(rows / ROWS) workgroups (x·y), WG = a multiple of the subgroup size, HELD = ceil(cols4 / WG).
// Needs the subgroup_id WGSL language feature (subgroup_id, num_subgroups).

enable subgroups;
requires subgroup_id;
override WG: u32 = 16u;
override HELD: u32 = 12u;
override ROWS: u32 = 32u;
const MAX_HELD: u32 = 12u;
// Subgroups per workgroup at most (WG ≤ 256 lanes, subgroups of ≥ 4 lanes).
const MAX_SUBGROUPS: u32 = 64u;
struct Params { rows: u32, cols4: u32 }
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> gamma: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> stats: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> dx: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> part_g: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> part_b: array<vec4<f32>>;
@group(0) @binding(7) var<uniform> p: Params;
var<workgroup> row_sums: array<vec2<f32>, 2 * MAX_SUBGROUPS>;

fn hsum(v: vec4<f32>) -> f32 { return (v.x + v.y) + (v.z + v.w); }

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32, @builtin(subgroup_id) sid: u32,
        @builtin(num_subgroups) nsg: u32, @builtin(subgroup_invocation_id) lane: u32) {
  let group = wg.y * nwg.x + wg.x;
  let first = group * ROWS;
  if (first >= p.rows) { return; }
  var g: array<vec4<f32>, MAX_HELD>;
  var dgamma: array<vec4<f32>, MAX_HELD>;
  var dbeta: array<vec4<f32>, MAX_HELD>;
  var xh: array<vec4<f32>, MAX_HELD>;
  var gy: array<vec4<f32>, MAX_HELD>;
  for (var u = 0u; u < HELD; u++) {
    g[u] = gamma[min(li + u * WG, p.cols4 - 1u)];
    dgamma[u] = vec4<f32>(0.0);
    dbeta[u] = vec4<f32>(0.0);
  }
  let n = f32(p.cols4 * 4u);
  for (var r = 0u; r < ROWS; r++) {
    let row = first + r;
    if (row >= p.rows) { break; }
    let base = row * p.cols4;
    let s = stats[row];
    var a = vec4<f32>(0.0);
    var b = vec4<f32>(0.0);
    for (var u = 0u; u < HELD; u++) {
      let c = li + u * WG;
      xh[u] = vec4<f32>(0.0);
      gy[u] = vec4<f32>(0.0);
      if (c < p.cols4) {
        let d = dy[base + c];
        xh[u] = (x[base + c] - vec4<f32>(s.x)) * s.y;
        gy[u] = d * g[u];
        dgamma[u] += d * xh[u];
        dbeta[u] += d;
      }
      a += gy[u];
      b += gy[u] * xh[u];
    }
    let slot = (r & 1u) * MAX_SUBGROUPS;
    let sums = vec2<f32>(subgroupAdd(hsum(a)), subgroupAdd(hsum(b)));
    if (lane == 0u) { row_sums[slot + sid] = sums; }
    workgroupBarrier();
    var t = vec2<f32>(0.0);
    for (var k = 0u; k < nsg; k++) { t += row_sums[slot + k]; }
    let mean_g = t.x / n;
    let mean_gx = t.y / n;
    for (var u = 0u; u < HELD; u++) {
      let c = li + u * WG;
      if (c < p.cols4) { dx[base + c] = s.y * (gy[u] - vec4<f32>(mean_g) - xh[u] * mean_gx); }
    }
  }
  for (var u = 0u; u < HELD; u++) {
    let c = li + u * WG;
    if (c < p.cols4) {
      part_g[group * p.cols4 + c] = dgamma[u];
      part_b[group * p.cols4 + c] = dbeta[u];
    }
  }
}
