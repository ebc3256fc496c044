// unary_backward: dx[i] = dy[i] * f'(.) for the functions of unary.wgsl, from the saved input x or output y.
// Bindings: 0 dy (read, [n]); 1 saved (read, [n]: x or y, see OP); 2 dx (read_write, [n]); 3 uniforms {n}.
// OP (saved): 1 exp (y), 2 log (x), 3 sqrt (y), 4 rsqrt (y), 5 tanh (y), 6 relu (x), 7 gelu (x), 10 sigmoid (y),
//     11 square (x).
// Dispatch: 1-D over n, workgroups of 256.

override OP: u32 = 0u;
struct Params { n: u32 }
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> saved: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

// Same erf as unary.wgsl (Numerical Recipes erfcc, |error| < 1.2e-7).
fn erf_approx(z: f32) -> f32 {
  let a = abs(z);
  let t = 1.0 / (1.0 + 0.5 * a);
  let p = -a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
          t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = 1.0 - t * exp(p);
  return select(r, -r, z < 0.0);
}

fn derivative(s: f32) -> f32 {
  switch OP {
    case 1u: { return s; }
    case 2u: { return 1.0 / s; }
    case 3u: { return 0.5 / s; }
    case 4u: { return -0.5 * s * s * s; }
    case 5u: { return 1.0 - s * s; }
    case 6u: { return select(0.0, 1.0, s > 0.0); }
    // d/dx [x Φ(x)] = Φ(x) + x φ(x)
    case 7u: { return 0.5 * (1.0 + erf_approx(s * 0.70710678118654752)) + s * 0.3989422804014327 * exp(-0.5 * s * s); }
    case 10u: { return s * (1.0 - s); }
    case 11u: { return 2.0 * s; }
    default: { return 1.0; }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i < params.n) { dx[i] = dy[i] * derivative(saved[i]); }
}
