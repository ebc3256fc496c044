// strided_copy: out[out_offset + Σ idx_d·out_strides_d] = x[in_offset + Σ idx_d·in_strides_d] for every index of
// `shape`. Serves permute, narrow (slice), contiguous copies and the scatter of narrow's backward.
// Bindings: 0 x (read); 1 out (read_write); 2 uniforms {n, rank, in_offset, out_offset, shape, in_strides, out_strides}.
// Dispatch: 1-D over n = product of shape, workgroups of 256.

struct Params {
  n: u32, rank: u32, in_offset: u32, out_offset: u32,
  shape: array<vec4<u32>, 2>,
  in_strides: array<vec4<u32>, 2>,
  out_strides: array<vec4<u32>, 2>,
}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= params.n) { return; }
  var rest = i;
  var src = params.in_offset;
  var dst = params.out_offset;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let dim = params.shape[d / 4][d % 4];
    let idx = rest % dim;
    rest = rest / dim;
    src += idx * params.in_strides[d / 4][d % 4];
    dst += idx * params.out_strides[d / 4][d % 4];
  }
  out[dst] = x[src];
}
