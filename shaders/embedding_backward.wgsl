// embedding backward, deterministic (WGSL has no float atomics), in two entry points:
// link: one invocation per token t: next[t] = the next token with the same id (or -1), head[t] = 1 when t is the
//       first occurrence of its id. O(tokens²) compares, tiny next to the matmuls.
// gather: one invocation per (token, column): a head token walks its chain in order and writes the sum of dy over
//       all tokens with its id into dweight[id, c]. Rows of ids never seen stay as zero-filled by the caller.
//       Tokens with id == padding_idx contribute nothing (torch's padding_idx keeps that row's gradient zero).
// Bindings: 0 ids (read, array<i32> [tokens]); 1 dy (read, [tokens, dim]); 2 links (read_write, array<i32>
//           [2·tokens] = next, head); 3 dweight (read_write, [vocab, dim]); 4 uniforms {tokens, dim, padding_idx}.
// Dispatch: link: 1-D over tokens; gather: 1-D over tokens·dim; workgroups of 256.

struct Params { tokens: u32, dim: u32, padding_idx: i32 }
@group(0) @binding(0) var<storage, read> ids: array<i32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> links: array<i32>;
@group(0) @binding(3) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(256)
fn link(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = (wg.y * nwg.x + wg.x) * 256u + li;
  if (t >= p.tokens) { return; }
  let id = ids[t];
  var next = -1;
  for (var j = t + 1u; j < p.tokens; j++) {
    if (ids[j] == id) { next = i32(j); break; }
  }
  var head = 1;
  for (var j = 0u; j < t; j++) {
    if (ids[j] == id) { head = 0; break; }
  }
  links[t] = next;
  links[p.tokens + t] = head;
}

@compute @workgroup_size(256)
fn gather(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= p.tokens * p.dim) { return; }
  let t = i / p.dim;
  let c = i % p.dim;
  let id = ids[t];
  if (links[p.tokens + t] == 0 || id == p.padding_idx || id < 0) { return; }
  var sum = 0.0;
  var j = i32(t);
  while (j >= 0) {
    sum += dy[u32(j) * p.dim + c];
    j = links[u32(j)];
  }
  dweight[u32(id) * p.dim + c] = sum;
}
