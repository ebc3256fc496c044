// fill: out[i] = value (as raw 32-bit pattern, so it serves f32 and i32 tensors alike).
// Bindings: 0 out (read_write, array<u32>, [n]); 1 uniforms {n: u32, value: u32}.
// Dispatch: 1-D over n in workgroups of 256 (x, y folded past 65535 groups).

struct Params { n: u32, value: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i < params.n) { out[i] = params.value; }
}
