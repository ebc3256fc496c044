// dropout_hash: the counter-based uniform draw behind every dropout mask, prepended to each kernel that applies or
// recomputes one (dropout.wgsl, flash_attention.wgsl), so the fused and unfused paths drop exactly the same
// elements: keep(i) = dropout_uniform01(seed, offset, i) >= p, a pure function of (seed, counter, i).

// lowbias32 (Chris Wellons): a well-mixed 32-bit integer hash.
fn mix32(v: u32) -> u32 {
  var h = v;
  h ^= h >> 16u; h *= 0x7feb352du;
  h ^= h >> 15u; h *= 0x846ca68bu;
  h ^= h >> 16u;
  return h;
}

// 24 random bits / 2^24, in [0, 1), for element i of the stream (seed_hi:seed_lo, offset).
fn dropout_uniform01(seed_lo: u32, seed_hi: u32, offset: u32, i: u32) -> f32 {
  let h = mix32(mix32(mix32(seed_lo) ^ seed_hi) ^ (offset + i) ^ mix32(i + 0x9e3779b9u));
  return f32(h >> 8u) * (1.0 / 16777216.0);
}
