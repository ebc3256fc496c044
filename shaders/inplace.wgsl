// inplace: y[i] = y[i] + alpha·x[i] (OP 0), or y[i] = y[i]·s[0] with the scale read from a GPU buffer (OP 1),
// so gradient accumulation and clipping never read anything back.
// Bindings: 0 x (read, [n]; for OP 1 the 1-element scale); 1 y (read_write, [n]); 2 uniforms {n, alpha}.
// Dispatch: 1-D over n, workgroups of 256.

override OP: u32 = 0u;
struct Params { n: u32, alpha: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= params.n) { return; }
  if (OP == 0u) { y[i] = y[i] + params.alpha * x[i]; } else { y[i] = y[i] * x[0]; }
}
