// adamw_vec4: adamw.wgsl over vec4s (n % 4 == 0): the same fused torch.optim.AdamW update with the same host-side
// float64 scalars, component for component, with 4× fewer load/store instructions (one pass over param, grad,
// exp_avg, exp_avg_sq). Keep in step with adamw.wgsl.
// Bindings: 0 param (read_write, vec4 [n/4]); 1 grad (read); 2 exp_avg (read_write); 3 exp_avg_sq (read_write);
//           4 scale (read, [1]: the clip coefficient);
//           5 uniforms {n4, lr, beta1, beta2, eps, wd, step_size, bc2_sqrt, one_minus_beta1, one_minus_beta2, decay}.
// Dispatch: 1-D over n/4, workgroups of 256 lanes with VEC4S_PER_LANE vec4s each (per-invocation cost amortised).

struct Params {
  n4: u32, lr: f32, beta1: f32, beta2: f32, eps: f32, wd: f32, step_size: f32, bc2_sqrt: f32,
  one_minus_beta1: f32, one_minus_beta2: f32, decay: f32,
}
@group(0) @binding(0) var<storage, read_write> param: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> grad: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> exp_avg: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> exp_avg_sq: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> scale: array<f32>;
@group(0) @binding(5) var<uniform> u: Params;

const VEC4S_PER_LANE = 4u;

fn update(i: u32) {
  let g = grad[i] * scale[0];
  var p = param[i] * u.decay;
  let m0 = exp_avg[i];
  let m = m0 + u.one_minus_beta1 * (g - m0);
  let v = u.beta2 * exp_avg_sq[i] + u.one_minus_beta2 * g * g;
  p = p - u.step_size * m / (sqrt(v) / u.bc2_sqrt + u.eps);
  param[i] = p;
  exp_avg[i] = m;
  exp_avg_sq[i] = v;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let base = (wg.y * nwg.x + wg.x) * (256u * VEC4S_PER_LANE) + li;
  for (var k = 0u; k < VEC4S_PER_LANE; k++) {
    let i = base + k * 256u;
    if (i < u.n4) { update(i); }
  }
}
