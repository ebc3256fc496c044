// cast: float32 ↔ float16 storage. Halves are packed two per 32-bit word (element 2i in the low 16 bits, as in
// array<f16>), converted with WGSL's core pack2x16float / unpack2x16float, so storing and reading halves needs no
// shader-f16 (computing on them, as the f16 matmul does, does). f32 → f16 rounds to a neighbouring half; as in torch's
// .half(), a value that rounds past the half range (|x| ≥ 65520) becomes ±Inf and NaN stays NaN (pack2x16float is
// indeterminate there, so those are set by hand): mixed-precision training detects such overflows (GradScaler).
// Entry points (each invocation converts one word, two values):
//   to_f16: 0 x (read, f32 [n]); 1 y (read_write, u32 [ceil(n/2)]; a last odd word's high half is 0);
//   to_f32: 2 xh (read, u32 [ceil(n/2)]); 3 yf (read_write, f32 [n]).
// Uniforms {n} at binding 4. Dispatch: 1-D over ceil(n/2) words, workgroups of 256 (folded into y past the limit).

struct Params { n: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<storage, read> xh: array<u32>;
@group(0) @binding(3) var<storage, read_write> yf: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

fn word(wg: vec3<u32>, nwg: vec3<u32>, li: u32) -> u32 { return (wg.y * nwg.x + wg.x) * 256u + li; }

// The half bits of x: pack2x16float inside the range; ±Inf past it (round to nearest: 65520 is halfway to 2^16);
// a quiet NaN for NaN. Tested on the bits, as a compiler may assume floats are finite.
fn half_bits(x: f32) -> u32 {
  let bits = bitcast<u32>(x);
  let sign = (bits >> 16u) & 0x8000u;
  let magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) { return sign | 0x7e00u; } // NaN
  if (magnitude >= 0x477ff000u) { return sign | 0x7c00u; } // |x| ≥ 65520 (Inf included)
  return pack2x16float(vec2<f32>(x, 0.0)) & 0xffffu;
}

@compute @workgroup_size(256)
fn to_f16(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let w = word(wg, nwg, li);
  let i = 2u * w;
  if (i >= p.n) { return; }
  let hi = select(0.0, x[min(i + 1u, p.n - 1u)], i + 1u < p.n);
  y[w] = half_bits(x[i]) | (half_bits(hi) << 16u);
}

@compute @workgroup_size(256)
fn to_f32(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let w = word(wg, nwg, li);
  let i = 2u * w;
  if (i >= p.n) { return; }
  let v = unpack2x16float(xh[w]);
  yf[i] = v.x;
  if (i + 1u < p.n) { yf[i + 1u] = v.y; }
}
