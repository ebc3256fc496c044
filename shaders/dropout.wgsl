// dropout: y[i] = x[i] · keep(i) / (1 − p), keep(i) = uniform(seed, offset + i) >= p, from a counter-based hash,
// so the mask is a pure function of (seed, counter, i): reproducible, resumable, and the backward recomputes the
// very same mask from the same seed instead of storing it.
// Bindings: 0 x (read, [n]); 1 y (read_write, [n]); 2 uniforms {n, p, seed_lo, seed_hi, offset}.
// Dispatch: 1-D over n, workgroups of 256.

struct Params { n: u32, p: f32, seed_lo: u32, seed_hi: u32, offset: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

// lowbias32 (Chris Wellons): a well-mixed 32-bit integer hash.
fn mix32(v: u32) -> u32 {
  var h = v;
  h ^= h >> 16u; h *= 0x7feb352du;
  h ^= h >> 15u; h *= 0x846ca68bu;
  h ^= h >> 16u;
  return h;
}

fn uniform01(i: u32) -> f32 {
  let h = mix32(mix32(mix32(params.seed_lo) ^ params.seed_hi) ^ (params.offset + i) ^ mix32(i + 0x9e3779b9u));
  return f32(h >> 8u) * (1.0 / 16777216.0);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= params.n) { return; }
  let keep = uniform01(i) >= params.p;
  y[i] = select(0.0, x[i] / (1.0 - params.p), keep);
}
