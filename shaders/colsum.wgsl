// colsum: column sums of a row-major [rows, cols] matrix (cols a multiple of 4, read as vec4), one stage of a
// two-stage reduction: invocation (c, chunk) sums rows [chunk·p.chunk, min(rows, (chunk+1)·p.chunk)) of columns
// 4c..4c+3 in row order into out[chunk, c]. Stage 2 is the same kernel over the [chunks, cols] partials with one
// chunk. Fixed summation order: deterministic, no atomics. Serves sumToShape's leading-axes case (bias gradients)
// and LayerNorm's parameter gradients (stage 2).
// Bindings: 0 x (read, [rows, cols4] vec4); 1 out (read_write, [chunks, cols4] vec4); 2 uniforms.
// Dispatch: x = ceil(cols4 / 64), y = chunks.
struct Params { rows: u32, cols4: u32, chunk: u32, chunks: u32 }
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let ch = gid.y;
  if (c >= p.cols4 || ch >= p.chunks) { return; }
  let r0 = ch * p.chunk;
  let r1 = min(r0 + p.chunk, p.rows);
  var acc = vec4<f32>(0.0);
  for (var r = r0; r < r1; r++) { acc += x[r * p.cols4 + c]; }
  out[ch * p.cols4 + c] = acc;
}
