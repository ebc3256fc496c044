// gelu_vec4: exact-erf GELU and its derivative over vec4s (n % 4 == 0): the same math as unary.wgsl (OP 7) and
// unary_backward.wgsl (OP 7), component for component, with 4× fewer load/store instructions.
//   forward:  y = x Φ(x);   backward: dx = dy · (Φ(x) + x φ(x)),  Φ(x) = (1 + erf(x/√2)) / 2.
// Bindings: forward: 0 x (read, vec4 [n/4]); 2 y (read_write); backward: 0 x (read); 1 dy (read); 2 dx (read_write);
//           3 uniforms {n4}.
// Dispatch: 1-D over n/4 with VEC4S_PER_LANE (4) vec4s per invocation, i.e. workgroups of 256 lanes covering 1024
// vec4s (x folded into y past the limit). Prepended with gelu_math.wgsl.
// Why 4 per lane: on software adapters each invocation carries a fixed cost (index math, bounds check, the per-lane
// memory loop's setup) that one vec4 cannot amortise: 4 per lane took GELU forward from ~70% to ~100% of a plain
// vec4 copy on lavapipe. Lane li handles vec4s base + li + 256k, so each of the 4 steps stays contiguous across lanes.

struct Params { n4: u32 }
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

const VEC4S_PER_LANE = 4u;
fn first(wg: vec3<u32>, nwg: vec3<u32>, li: u32) -> u32 { return (wg.y * nwg.x + wg.x) * (256u * VEC4S_PER_LANE) + li; }

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let base = first(wg, nwg, li);
  for (var k = 0u; k < VEC4S_PER_LANE; k++) {
    let i = base + k * 256u;
    if (i < params.n4) { out[i] = gelu4(x[i]); }
  }
}

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let base = first(wg, nwg, li);
  for (var k = 0u; k < VEC4S_PER_LANE; k++) {
    let i = base + k * 256u;
    if (i < params.n4) { out[i] = dy[i] * gelu_grad4(x[i]); }
  }
}
