// gelu_vec4: exact-erf GELU and its derivative over vec4s (n % 4 == 0): the same math as unary.wgsl (OP 7) and
// unary_backward.wgsl (OP 7), component for component, with 4× fewer load/store instructions.
//   forward:  y = x Φ(x);   backward: dx = dy · (Φ(x) + x φ(x)),  Φ(x) = (1 + erf(x/√2)) / 2.
// Bindings: forward: 0 x (read, vec4 [n/4]); 2 y (read_write); backward: 0 x (read); 1 dy (read); 2 dx (read_write);
//           3 uniforms {n4}.
// Dispatch: 1-D over n/4, workgroups of 256 (x folded into y past the limit). Prepended with gelu_math.wgsl.

struct Params { n4: u32 }
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

fn index(wg: vec3<u32>, nwg: vec3<u32>, li: u32) -> u32 { return (wg.y * nwg.x + wg.x) * 256u + li; }

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = index(wg, nwg, li);
  if (i >= params.n4) { return; }
  let v = x[i];
  out[i] = gelu4(v);
}

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = index(wg, nwg, li);
  if (i >= params.n4) { return; }
  let s = x[i];
  out[i] = dy[i] * gelu_grad4(s);
}
