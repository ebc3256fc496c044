// binary: out = a (op) b with NumPy broadcasting, for op in {add, sub, mul, div, eq} (OP override 0..4;
// eq gives 1.0 where equal, else 0.0).
// Bindings: 0 a (read); 1 b (read); 2 out (read_write, [n] contiguous); 3 uniforms.
// Uniforms: n (output elements), rank (<= 8), shape (output dims), a_strides / b_strides (element strides of a
// and b per output dim, 0 on broadcast dims). When `same` is 1 both inputs are contiguous with the output's
// shape and indices are used directly.
// Dispatch: 1-D over n, workgroups of 256.
// Entry point same4: both inputs contiguous with the output's shape and n % 4 == 0: vec4 loads and stores
// (a4, b4, out4 share bindings 0, 1, 2: WGSL allows it, as no entry point uses both), 1-D over n / 4 with
// VEC4S_PER_LANE vec4s per lane (per-lane memory work and per-invocation cost are what a software adapter pays for).
// Entry point suffix4: a contiguous with the output's shape, b a trailing block of it repeated (b's shape is the
// output's last dims, e.g. [T, C] added to [B, T, C]) with b_period4 = b's size / 4 vec4s: out4[i] = a4[i] op
// b4[i % b_period4]. 1-D over n / 4, VEC4S_PER_LANE per lane.

override OP: u32 = 0u;
struct Params {
  n: u32, rank: u32, same: u32, b_period4: u32,
  shape: array<vec4<u32>, 2>,
  a_strides: array<vec4<u32>, 2>,
  b_strides: array<vec4<u32>, 2>,
}
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(0) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out4: array<vec4<f32>>;

fn combine(x: f32, y: f32) -> f32 {
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    default: { return select(0.0, 1.0, x == y); }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= params.n) { return; }
  if (params.same == 1u) { out[i] = combine(a[i], b[i]); return; }
  var rest = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let dim = params.shape[d / 4][d % 4];
    let idx = rest % dim;
    rest = rest / dim;
    ia += idx * params.a_strides[d / 4][d % 4];
    ib += idx * params.b_strides[d / 4][d % 4];
  }
  out[i] = combine(a[ia], b[ib]);
}

const VEC4S_PER_LANE = 4u;

fn combine4(x: vec4<f32>, y: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(combine(x.x, y.x), combine(x.y, y.y), combine(x.z, y.z), combine(x.w, y.w));
}

@compute @workgroup_size(256)
fn same4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let base = (wg.y * nwg.x + wg.x) * (256u * VEC4S_PER_LANE) + li;
  for (var k = 0u; k < VEC4S_PER_LANE; k++) {
    let i = base + k * 256u;
    if (i < params.n / 4u) { out4[i] = combine4(a4[i], b4[i]); }
  }
}

@compute @workgroup_size(256)
fn suffix4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let base = (wg.y * nwg.x + wg.x) * (256u * VEC4S_PER_LANE) + li;
  for (var k = 0u; k < VEC4S_PER_LANE; k++) {
    let i = base + k * 256u;
    if (i < params.n / 4u) { out4[i] = combine4(a4[i], b4[i % params.b_period4]); }
  }
}
