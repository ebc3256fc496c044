// Reference for dropout: the keep mask recomputed on the CPU from (seed, offset, index) with the same
// counter-based hash as the kernel (lowbias32), written independently in integer JS.
import { map, type NdArray } from './nd.js';

function mix32(v: number): number {
  let h = v >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** The kernel's uniform draw for element i: 24 random bits / 2^24. */
export function dropoutUniform(seed: number, offset: number, i: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  const h = mix32((mix32((mix32(lo) ^ hi) >>> 0) ^ ((offset + i) >>> 0) ^ mix32((i + 0x9e3779b9) >>> 0)) >>> 0);
  return (h >>> 8) / 16777216;
}

/** 1 where element i survives, else 0. */
export function dropoutMask(n: number, p: number, seed: number, offset: number): Uint8Array {
  const pf = Math.fround(p);
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) m[i] = dropoutUniform(seed, offset, i) >= pf ? 1 : 0;
  return m;
}

/** y = x·mask/(1−p). */
export function dropout(x: NdArray, p: number, mask: Uint8Array): NdArray {
  return map(x, (v, i) => (mask[i] ? v / (1 - p) : 0));
}
