// embedding forward: out[t, :] = weight[ids[t], :]. Ids outside [0, vocab) were rejected on the host; the
// index is clamped here anyway so a bad id can never read out of bounds.
// Bindings: 0 weight (read, [vocab, dim]); 1 ids (read, array<i32> [tokens]); 2 out (read_write, [tokens, dim]);
//           3 uniforms {tokens, dim, vocab}.
// Dispatch: 1-D over tokens·dim, workgroups of 256; entry point main4 (dim % 4 == 0): 1-D over tokens·dim / 4, one
// vec4 per invocation (weight4 / out4 share bindings 0 and 2: WGSL allows it, as no entry point uses both). On
// software adapters every load and store is a per-lane loop, so 4 values per access is what makes a gather cheap
// (the row gathers of inference without padding run four per layer).

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

@compute @workgroup_size(256)
fn main4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  let dim4 = p.dim / 4u;
  if (i >= p.tokens * dim4) { return; }
  let row = u32(clamp(ids[i / dim4], 0, i32(p.vocab) - 1));
  out4[i] = weight4[row * dim4 + i % dim4];
}
