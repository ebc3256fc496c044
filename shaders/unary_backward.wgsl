// unary_backward: dx[i] = dy[i] * f'(.) for the functions of unary.wgsl, from the saved input x or output y.
// Bindings: 0 dy (read, [n]); 1 saved (read, [n]: x or y, see OP); 2 dx (read_write, [n]); 3 uniforms {n}.
// OP (saved): 1 exp (y), 2 log (x), 3 sqrt (y), 4 rsqrt (y), 5 tanh (y), 6 relu (x), 7 gelu (x), 10 sigmoid (y),
//     11 square (x).
// Dispatch: 1-D over n, workgroups of 256. Prepended with gelu_math.wgsl.

override OP: u32 = 0u;
struct Params { n: u32 }
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> saved: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

fn derivative(s: f32) -> f32 {
  switch OP {
    case 1u: { return s; }
    case 2u: { return 1.0 / s; }
    case 3u: { return 0.5 / s; }
    case 4u: { return -0.5 * s * s * s; }
    case 5u: { return 1.0 - s * s; }
    case 6u: { return select(0.0, 1.0, s > 0.0); }
    // d/dx [x Φ(x)] = Φ(x) + x φ(x)
    case 7u: { return gelu_grad(s); }
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
