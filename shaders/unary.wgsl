// unary: y[i] = f(x[i]) for one elementwise function chosen by the OP override.
// Bindings: 0 x (read, [n]); 1 y (read_write, [n]); 2 uniforms {n, a, b}.
// OP: 0 neg, 1 exp, 2 log, 3 sqrt, 4 rsqrt, 5 tanh, 6 relu, 7 gelu (exact erf), 8 affine a*x+b, 9 copy,
//     10 sigmoid, 11 square.
// Dispatch: 1-D over n, workgroups of 256. Prepended with gelu_math.wgsl.

override OP: u32 = 0u;
struct Params { n: u32, a: f32, b: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

fn apply(v: f32) -> f32 {
  switch OP {
    case 0u: { return -v; }
    case 1u: { return exp(v); }
    case 2u: { return log(v); }
    case 3u: { return sqrt(v); }
    case 4u: { return inverseSqrt(v); }
    case 5u: { return tanh(clamp(v, -15.0, 15.0)); }
    case 6u: { return max(v, 0.0); }
    case 7u: { return gelu(v); }
    case 8u: { return params.a * v + params.b; }
    case 10u: { return 1.0 / (1.0 + exp(-v)); }
    case 11u: { return v * v; }
    default: { return v; }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i < params.n) { y[i] = apply(x[i]); }
}
