// embedding forward: out[t, :] = weight[ids[t], :]. Ids outside [0, vocab) were rejected on the host; the
// index is clamped here anyway so a bad id can never read out of bounds.
// Bindings: 0 weight (read, [vocab, dim]); 1 ids (read, array<i32> [tokens]); 2 out (read_write, [tokens, dim]);
//           3 uniforms {tokens, dim, vocab}.
// Dispatch: 1-D over tokens·dim, workgroups of 256; entry point main4 (dim % 4 == 0): one workgroup of 64 lanes per
// TOKENS_PER_GROUP tokens, lanes striding over the row's vec4s (weight4 / out4 share bindings 0 and 2: WGSL allows
// it, as no entry point uses both). On software adapters every load and store is a per-lane loop, so 4 values per
// access is what makes a gather cheap, and a row per workgroup spares every lane the id load and the integer
// division by dim (the row gathers of the unpadded path run four per layer: lavapipe, 4096 rows of 768 gathered,
// 18-20 ms with one vec4 per invocation, 10.8-11.6 ms so; 16 tokens per workgroup measured the same).

struct Params { tokens: u32, dim: u32, vocab: u32 }
@group(0) @binding(0) var<storage, read> weight: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
@group(0) @binding(0) var<storage, read> weight4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out4: array<vec4<f32>>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= p.tokens * p.dim) { return; }
  let t = i / p.dim;
  let c = i % p.dim;
  let row = u32(clamp(ids[t], 0, i32(p.vocab) - 1));
  out[i] = weight[row * p.dim + c];
}

const TOKENS_PER_GROUP = 4u;

@compute @workgroup_size(64)
fn main4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let first = (wg.y * nwg.x + wg.x) * TOKENS_PER_GROUP;
  let dim4 = p.dim / 4u;
  for (var t = first; t < min(first + TOKENS_PER_GROUP, p.tokens); t++) {
    let row = u32(clamp(ids[t], 0, i32(p.vocab) - 1));
    for (var c = li; c < dim4; c += 64u) { out4[t * dim4 + c] = weight4[row * dim4 + c]; }
  }
}
