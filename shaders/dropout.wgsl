// dropout: y[i] = x[i] · keep(i) / (1 − p), keep(i) = uniform(seed, offset + i) >= p, from a counter-based hash,
// so the mask is a pure function of (seed, counter, i): reproducible, resumable, and the backward recomputes the
// very same mask from the same seed instead of storing it.
// Bindings: 0 x (read, [n]); 1 y (read_write, [n]); 2 uniforms {n, p, seed_lo, seed_hi, offset, first}: x is
// elements first.. of the stream (a chunk of a larger tensor draws that tensor's mask), element i draws first + i.
// Dispatch: 1-D over n, workgroups of 256. Prepended with dropout_hash.wgsl (dropout_uniform01).
// Entry point main4 (n % 4 == 0): the same mask and values, a vec4 of elements at a time (x4, y4 share bindings 0
// and 1 with x, y: no entry point uses both), VEC4S_PER_LANE vec4s per lane; 1-D over n / 4.

struct Params { n: u32, p: f32, seed_lo: u32, seed_hi: u32, offset: u32, first: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
@group(0) @binding(0) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> y4: array<vec4<f32>>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= params.n) { return; }
  let keep = dropout_uniform01(params.seed_lo, params.seed_hi, params.offset, params.first + i) >= params.p;
  y[i] = select(0.0, x[i] / (1.0 - params.p), keep);
}

const VEC4S_PER_LANE = 4u;

@compute @workgroup_size(256)
fn main4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let base = (wg.y * nwg.x + wg.x) * (256u * VEC4S_PER_LANE) + li;
  for (var k = 0u; k < VEC4S_PER_LANE; k++) {
    let j = base + k * 256u;
    if (j < params.n / 4u) {
      let i = 4u * j;
      let u = vec4<f32>(
        dropout_uniform01(params.seed_lo, params.seed_hi, params.offset, params.first + i),
        dropout_uniform01(params.seed_lo, params.seed_hi, params.offset, params.first + i + 1u),
        dropout_uniform01(params.seed_lo, params.seed_hi, params.offset, params.first + i + 2u),
        dropout_uniform01(params.seed_lo, params.seed_hi, params.offset, params.first + i + 3u));
      y4[j] = select(vec4<f32>(0.0), x4[j] / (1.0 - params.p), u >= vec4<f32>(params.p));
    }
  }
}
