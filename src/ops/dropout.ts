// Dropout with a counter-based GPU RNG: the mask is a function of (seed, offset, index), so runs are reproducible
// and resumable from (seed, offset) alone, and the backward recomputes the same mask instead of storing it.
import dropoutWgsl from '../../shaders/dropout.wgsl';
import dropoutHashWgsl from '../../shaders/dropout_hash.wgsl';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import type { Tensor } from '../tensor/tensor.js';
import { clone } from './basic.js';
import { assertFloat, empty, grid1d, grid1dVec4 } from './kernel.js';

/** y = x ⊙ keep / (1 − p), keep drawn from (seed, offset + first + i): per element, or main4 over vec4s. */
const DROPOUT = defineKernel({
  name: 'dropout',
  source: dropoutHashWgsl + dropoutWgsl,
  bindings: { x: 'read', y: 'read_write' },
  uniforms: { n: 'u32', p: 'f32', seed_lo: 'u32', seed_hi: 'u32', offset: 'u32', first: 'u32' },
  entryPoints: { main: ['x', 'y'], main4: ['x', 'y'] },
});

/** The dropout random stream: a 64-bit seed and a counter advanced by every call (saved in checkpoints). */
export class DropoutRng {
  constructor(
    public seed: number,
    public offset = 0,
  ) {}
  /** Reserves `n` counters and returns the first. */
  next(n: number): number {
    const at = this.offset;
    // Keep well inside u32: wrapping only reuses masks after 2^32 elements, harmless but avoidable.
    this.offset = (this.offset + n) % 0xffffffff;
    return at;
  }
  state(): { seed: number; offset: number } {
    return { seed: this.seed, offset: this.offset };
  }
}

function dropoutRaw(x: Tensor, p: number, seed: number, offset: number, first: number): Tensor {
  const y = empty(x.shape);
  // vec4s where the size allows: the same mask and values (each element's draw depends only on its index).
  const vec4 = x.size % 4 === 0;
  runtime().dispatch(DROPOUT, {
    entry: vec4 ? 'main4' : 'main',
    bindings: { x: x.binding, y: y.binding },
    uniforms: {
      n: x.size,
      p,
      seed_lo: seed >>> 0,
      seed_hi: Math.floor(seed / 2 ** 32) >>> 0,
      offset: offset >>> 0,
      first: first >>> 0,
    },
    grid: vec4 ? grid1dVec4(x.size / 4) : grid1d(x.size),
  });
  return y;
}

/** x: any → same shape; elements zeroed with probability p, survivors scaled by 1/(1−p). Identity when p = 0. */
export function dropout(x: Tensor, p: number, rng: DropoutRng): Tensor {
  // Checked before any counters are drawn; p = 0 draws none.
  return checkedDropout(x, p, () => ({ seed: rng.seed, offset: rng.next(x.size), first: 0 }));
}

/** Where a dropout call's mask comes from: the stream (seed, offset), x being its elements first… */
export interface DropoutSlice {
  seed: number;
  offset: number;
  first: number;
}

/**
 * Dropout of x as elements [first, first + x.size) of a larger tensor whose counters start at `offset`: chunks of
 * a tensor draw exactly the mask the whole tensor would. x: any → same shape.
 */
export function dropoutSlice(x: Tensor, p: number, s: DropoutSlice): Tensor {
  return checkedDropout(x, p, () => s);
}

/** Checks x and p; p = 0 is the identity; else the mask of slice() (asked for only then). */
function checkedDropout(x: Tensor, p: number, slice: () => DropoutSlice): Tensor {
  assertFloat('dropout', x);
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (p === 0) return record('dropout', [x], clone(x), (g) => [clone(g)]);
  const s = slice();
  const y = dropoutRaw(x, p, s.seed, s.offset, s.first);
  return record('dropout', [x], y, (g) => [dropoutRaw(g, p, s.seed, s.offset, s.first)]);
}
