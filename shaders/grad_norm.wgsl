// grad_norm: the global L2 norm of many gradient tensors and torch's clip coefficient, without readback.
// partial: workgroup w of one tensor sums x² over its grid-stride slice into partials[offset + w].
// partial4: the same over x as vec4s (n % 4 == 0; x4 shares binding 0: no entry point uses both), a quarter of the
//       per-lane memory work.
// finish: one workgroup sums all partials in a fixed order: out[0] = total norm, out[1] = min(1, max_norm/(norm+1e-6)).
// Bindings: 0 x (read, [n]); 1 partials (read_write); 2 out (read_write, [2]); 3 uniforms {n, offset, count, max_norm}.
// Dispatch: partial: `groups` workgroups of 256 (x only); finish: 1 workgroup.

struct Params { n: u32, offset: u32, count: u32, max_norm: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(0) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

var<workgroup> scratch: array<f32, 256>;

fn tree_sum(li: u32, v: f32) -> f32 {
  scratch[li] = v;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s / 2u) {
    if (li < s) { scratch[li] += scratch[li + s]; }
    workgroupBarrier();
  }
  return scratch[0];
}

@compute @workgroup_size(256)
fn partial(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  var s = 0.0;
  for (var i = wg.x * 256u + li; i < p.n; i += nwg.x * 256u) { let v = x[i]; s += v * v; }
  let total = tree_sum(li, s);
  if (li == 0u) { partials[p.offset + wg.x] = total; }
}

@compute @workgroup_size(256)
fn partial4(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  var s = vec4<f32>(0.0);
  for (var i = wg.x * 256u + li; i < p.n / 4u; i += nwg.x * 256u) { let v = x4[i]; s = fma(v, v, s); }
  let total = tree_sum(li, (s.x + s.y) + (s.z + s.w));
  if (li == 0u) { partials[p.offset + wg.x] = total; }
}

@compute @workgroup_size(256)
fn finish(@builtin(local_invocation_index) li: u32) {
  var s = 0.0;
  for (var i = li; i < p.count; i += 256u) { s += partials[i]; }
  let total = sqrt(tree_sum(li, s));
  if (li == 0u) { out[0] = total; out[1] = min(1.0, p.max_norm / (total + 1e-6)); }
}
