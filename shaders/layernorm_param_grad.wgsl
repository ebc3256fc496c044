// layernorm_param_grad: stage 1 of the two-stage parameter gradients of LayerNorm (cols a multiple of 4): invocation (c, chunk) sums
// rows [chunk·chunk_rows, …) of columns 4c..4c+3 into dgamma/dbeta partials [chunks, cols4] (vec4), which colsum
// then sums over chunks in a fixed order (deterministic). Dispatch: x = ceil(cols4 / 64), y = chunks.
// Bindings: 0 x, 1 dy (read, vec4 [rows, cols4]); 2 stats (read, [rows]: mean, rstd); 3 part_g, 4 part_b
// (read_write, vec4 [chunks, cols4]); 5 uniforms {rows, cols4, chunk (rows per chunk), chunks}.
struct PartParams { rows: u32, cols4: u32, chunk: u32, chunks: u32 }
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> stats: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> part_g: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> part_b: array<vec4<f32>>;
@group(0) @binding(5) var<uniform> pp: PartParams;

@compute @workgroup_size(64)
fn param_partial(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let ch = gid.y;
  if (c >= pp.cols4 || ch >= pp.chunks) { return; }
  let r0 = ch * pp.chunk;
  let r1 = min(r0 + pp.chunk, pp.rows);
  var dg = vec4<f32>(0.0);
  var db = vec4<f32>(0.0);
  for (var r = r0; r < r1; r++) {
    let s = stats[r];
    let g = dy[r * pp.cols4 + c];
    dg += g * (x[r * pp.cols4 + c] - s.x) * s.y;
    db += g;
  }
  part_g[ch * pp.cols4 + c] = dg;
  part_b[ch * pp.cols4 + c] = db;
}
