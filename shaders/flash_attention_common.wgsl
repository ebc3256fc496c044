// flash_attention_common: what the fused attention kernels share (flash_attention.wgsl, one thread's rows reading
// K/V from storage; flash_attention_tiled.wgsl, K/V tiles in workgroup memory): the bindings, the uniforms, the row
// geometry, the key mask, the dropout scale and the score, so both compute every value the same way. The header of
// flash_attention.wgsl describes the bindings and the maths. Prepended (after `const D4`, `const R` and
// dropout_hash.wgsl) to each.

override WG: u32 = 64u;
struct Params { t: u32, heads: u32, blocks: u32, has_mask: u32, scale: f32, p: f32, seed_lo: u32, seed_hi: u32, offset: u32 }
@group(0) @binding(0) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> mask: array<i32>;
@group(0) @binding(4) var<storage, read_write> o: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> stats: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> dq: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> dk: array<vec4<f32>>;
@group(0) @binding(9) var<storage, read_write> dv: array<vec4<f32>>;
@group(0) @binding(10) var<uniform> p: Params;

const F32_MIN: f32 = -3.4028234663852886e38;

struct Rows { ok: bool, b: u32, h: u32, bh: u32, first: u32 }

// This invocation's (batch, head) and first row: a workgroup holds one head's tile of WG·R rows; lane l takes rows
// first + r·WG. ok = false for a workgroup past the last block (rows past T are clamped by row()).
fn locate(wg: vec3<u32>, nwg: vec3<u32>, li: u32) -> Rows {
  let block = wg.y * nwg.x + wg.x;
  let tiles = (p.t + WG * R - 1u) / (WG * R);
  let bh = block / tiles;
  return Rows(block < p.blocks, bh / p.heads, bh % p.heads, bh, (block % tiles) * WG * R + li);
}

// Row r of the invocation, clamped inside T (a clamped row computes a duplicate and writes nothing).
fn row(rs: Rows, r: u32) -> u32 { return min(rs.first + r * WG, p.t - 1u); }
fn row_valid(rs: Rows, r: u32) -> bool { return rs.first + r * WG < p.t; }

// First vec4 of head h's row for token i of batch b in a [B, T, H·D4] tensor.
fn row_base(b: u32, i: u32, h: u32) -> u32 { return ((b * p.t + i) * p.heads + h) * D4; }

fn key_masked(b: u32, j: u32) -> bool { return p.has_mask != 0u && mask[b * p.t + j] == 0; }

// keep(i, j) / (1 − p), or 0 where dropped; 1 without dropout. `e` indexes [B, H, T, T].
fn dropout_scale(e: u32) -> f32 {
  if (p.p == 0.0) { return 1.0; }
  let kept = dropout_uniform01(p.seed_lo, p.seed_hi, p.offset, e) >= p.p;
  return select(0.0, 1.0 / (1.0 - p.p), kept);
}

fn hsum(x: vec4<f32>) -> f32 { return (x.x + x.y) + (x.z + x.w); }

// s_ij from Σ_d q_i[d]·k_j[d] (vec4 partial sums in d order): every kernel accumulates the same products in the same
// order, so the backward recomputes the forward's P bit for bit.
fn score(dot4: vec4<f32>, masked: bool) -> f32 { return select(p.scale * hsum(dot4), F32_MIN, masked); }

