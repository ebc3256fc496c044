// gelu_math: exact-erf GELU, prepended to every kernel that evaluates it (unary.wgsl, unary_backward.wgsl,
// gelu_vec4.wgsl, the matmul GELU epilogue), so all compute the very same values.
// erf(z) from erfc's Chebyshev fit (Numerical Recipes `erfcc`): fractional error of erfc < 1.2e-7 everywhere, so
// |erf error| < 1.2e-7 + f32 rounding; GELU built on it stays within 1e-6 absolute of float64 for |x| <= 10 (checked
// by tests/ops against a float64 erf). WGSL has no erf.
//   gelu(x) = x Φ(x),  gelu'(x) = Φ(x) + x φ(x),  Φ(x) = (1 + erf(x/√2)) / 2.

fn erf_approx4(z: vec4<f32>) -> vec4<f32> {
  let a = abs(z);
  let t = 1.0 / (1.0 + 0.5 * a);
  let p = -a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
          t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = 1.0 - t * exp(p);
  return select(r, -r, z < vec4<f32>(0.0));
}

fn erf_approx(z: f32) -> f32 {
  let a = abs(z);
  let t = 1.0 / (1.0 + 0.5 * a);
  let p = -a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
          t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = 1.0 - t * exp(p);
  return select(r, -r, z < 0.0);
}

fn gelu4(v: vec4<f32>) -> vec4<f32> { return 0.5 * v * (1.0 + erf_approx4(v * 0.70710678118654752)); }
fn gelu_grad4(s: vec4<f32>) -> vec4<f32> {
  return 0.5 * (1.0 + erf_approx4(s * 0.70710678118654752)) + s * 0.3989422804014327 * exp(-0.5 * s * s);
}
fn gelu(v: f32) -> f32 { return 0.5 * v * (1.0 + erf_approx(v * 0.70710678118654752)); }
fn gelu_grad(s: f32) -> f32 { return 0.5 * (1.0 + erf_approx(s * 0.70710678118654752)) + s * 0.3989422804014327 * exp(-0.5 * s * s); }
