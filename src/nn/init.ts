// Host-side initialisers matching HF `_init_weights` in distribution (torch's RNG stream itself is not reproduced):
// normal(0, std) for Linear and Embedding weights, zeros for biases, ones/zeros for LayerNorm.
import { normalArray } from '../ops/basic.js';
import type { ParameterInit } from './module.js';

export const normalInit =
  (std: number): ParameterInit =>
  (n, seed) =>
    normalArray(n, seed, 0, std);
export const constantInit =
  (value: number): ParameterInit =>
  (n) =>
    new Float32Array(n).fill(value);

/** A per-parameter seed from the model seed and the parameter's index (distinct, well-mixed streams). */
export function parameterSeed(seed: number, index: number): number {
  let h = (seed >>> 0) ^ Math.imul(index + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
