// reduce: sums (OP 0) or maxes (OP 1) the input over a set of dimensions; one invocation per output element.
// Bindings: 0 x (read, contiguous input); 1 out (read_write, [n_out]); 2 uniforms.
// Uniforms: n_out; kept_rank/red_rank; kept_shape/kept_strides (output dims and their input strides);
// red_shape/red_strides (reduced dims and their input strides); red_count = product of red_shape.
// Dispatch: 1-D over n_out, workgroups of 256. Summation order is fixed, so results are deterministic.

override OP: u32 = 0u;
struct Params {
  n_out: u32, kept_rank: u32, red_rank: u32, red_count: u32,
  kept_shape: array<vec4<u32>, 2>,
  kept_strides: array<vec4<u32>, 2>,
  red_shape: array<vec4<u32>, 2>,
  red_strides: array<vec4<u32>, 2>,
}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let o = (wg.y * nwg.x + wg.x) * 256u + li;
  if (o >= params.n_out) { return; }
  var rest = o;
  var base = 0u;
  for (var d = i32(params.kept_rank) - 1; d >= 0; d--) {
    let dim = params.kept_shape[d / 4][d % 4];
    base += (rest % dim) * params.kept_strides[d / 4][d % 4];
    rest = rest / dim;
  }
  var acc = select(0.0, -3.4028234663852886e38, OP == 1u);
  for (var r = 0u; r < params.red_count; r++) {
    var rr = r;
    var off = base;
    for (var d = i32(params.red_rank) - 1; d >= 0; d--) {
      let dim = params.red_shape[d / 4][d % 4];
      off += (rr % dim) * params.red_strides[d / 4][d % 4];
      rr = rr / dim;
    }
    let v = x[off];
    if (OP == 1u) { acc = max(acc, v); } else { acc += v; }
  }
  out[o] = acc;
}
