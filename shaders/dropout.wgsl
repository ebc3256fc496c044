// dropout: y[i] = x[i] · keep(i) / (1 − p), keep(i) = uniform(seed, offset + i) >= p, from a counter-based hash,
// so the mask is a pure function of (seed, counter, i): reproducible, resumable, and the backward recomputes the
// very same mask from the same seed instead of storing it.
// Bindings: 0 x (read, [n]); 1 y (read_write, [n]); 2 uniforms {n, p, seed_lo, seed_hi, offset}.
// Dispatch: 1-D over n, workgroups of 256. Prepended with dropout_hash.wgsl (dropout_uniform01).

struct Params { n: u32, p: f32, seed_lo: u32, seed_hi: u32, offset: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= params.n) { return; }
  let keep = dropout_uniform01(params.seed_lo, params.seed_hi, params.offset, i) >= params.p;
  y[i] = select(0.0, x[i] / (1.0 - params.p), keep);
}
