// embedding forward: out[t, :] = weight[ids[t], :]. Ids outside [0, vocab) were rejected on the host; the
// index is clamped here anyway so a bad id can never read out of bounds.
// Bindings: 0 weight (read, [vocab, dim]); 1 ids (read, array<i32> [tokens]); 2 out (read_write, [tokens, dim]);
//           3 uniforms {tokens, dim, vocab}.
// Dispatch: 1-D over tokens·dim, workgroups of 256.

struct Params { tokens: u32, dim: u32, vocab: u32 }
@group(0) @binding(0) var<storage, read> weight: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= p.tokens * p.dim) { return; }
  let t = i / p.dim;
  let c = i % p.dim;
  let row = u32(clamp(ids[t], 0, i32(p.vocab) - 1));
  out[i] = weight[row * p.dim + c];
}
