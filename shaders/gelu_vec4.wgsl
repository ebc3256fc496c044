// gelu_vec4: exact-erf GELU and its derivative over vec4s (n % 4 == 0): the same math as unary.wgsl (OP 7) and
// unary_backward.wgsl (OP 7), component for component, with 4× fewer load/store instructions.
//   forward:  y = x Φ(x);   backward: dx = dy · (Φ(x) + x φ(x)),  Φ(x) = (1 + erf(x/√2)) / 2.
// Bindings: forward: 0 x (read, vec4 [n/4]); 2 y (read_write); backward: 0 x (read); 1 dy (read); 2 dx (read_write);
//           3 uniforms {n4}.
// Dispatch: 1-D over n/4, workgroups of 256 (x folded into y past the limit).

struct Params { n4: u32 }
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

// erf(z) from erfc's Chebyshev fit (Numerical Recipes `erfcc`), as unary.wgsl: |error| < 1.2e-7.
fn erf_approx(z: vec4<f32>) -> vec4<f32> {
  let a = abs(z);
  let t = 1.0 / (1.0 + 0.5 * a);
  let p = -a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
          t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = 1.0 - t * exp(p);
  return select(r, -r, z < vec4<f32>(0.0));
}

fn index(wg: vec3<u32>, nwg: vec3<u32>, li: u32) -> u32 { return (wg.y * nwg.x + wg.x) * 256u + li; }

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = index(wg, nwg, li);
  if (i >= params.n4) { return; }
  let v = x[i];
  out[i] = 0.5 * v * (1.0 + erf_approx(v * 0.70710678118654752));
}

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = index(wg, nwg, li);
  if (i >= params.n4) { return; }
  let s = x[i];
  out[i] = dy[i] * (0.5 * (1.0 + erf_approx(s * 0.70710678118654752)) + s * 0.3989422804014327 * exp(-0.5 * s * s));
}
