// adamw: one fused pass of torch.optim.AdamW (decoupled weight decay) over one parameter tensor:
//   g = grad · scale[0]                       (scale: the clip coefficient, read on the GPU — no readback)
//   p = p · (1 − lr·wd)
//   m = m + (1 − β1)·(g − m)                  (torch: exp_avg.lerp_(g, 1 − β1))
//   v = β2·v + (1 − β2)·g²
//   p = p − step_size · m / (sqrt(v) / bc2_sqrt + eps)   with step_size = lr / (1 − β1^t), bc2_sqrt = sqrt(1 − β2^t)
// step_size, bc2_sqrt and the scalars 1 − β1, 1 − β2, 1 − lr·wd are computed on the host in float64, as torch does
// in Python (1 − f32(0.999) in float32 would be off by 1.3e-5 relative, and exp_avg_sq with it).
// Bindings: 0 param (read_write, [n]); 1 grad (read, [n]); 2 exp_avg (read_write); 3 exp_avg_sq (read_write);
//           4 scale (read, [1]);
//           5 uniforms {n, lr, beta1, beta2, eps, wd, step_size, bc2_sqrt, one_minus_beta1, one_minus_beta2, decay}.
// Dispatch: 1-D over n, workgroups of 256.

struct Params {
  n: u32, lr: f32, beta1: f32, beta2: f32, eps: f32, wd: f32, step_size: f32, bc2_sqrt: f32,
  one_minus_beta1: f32, one_minus_beta2: f32, decay: f32,
}
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> exp_avg: array<f32>;
@group(0) @binding(3) var<storage, read_write> exp_avg_sq: array<f32>;
@group(0) @binding(4) var<storage, read> scale: array<f32>;
@group(0) @binding(5) var<uniform> u: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= u.n) { return; }
  let g = grad[i] * scale[0];
  var p = param[i] * u.decay;
  let m = exp_avg[i] + u.one_minus_beta1 * (g - exp_avg[i]);
  let v = u.beta2 * exp_avg_sq[i] + u.one_minus_beta2 * g * g;
  p = p - u.step_size * m / (sqrt(v) / u.bc2_sqrt + u.eps);
  param[i] = p;
  exp_avg[i] = m;
  exp_avg_sq[i] = v;
}
