// Fused (flash-style) multi-head self-attention: scores, key mask, softmax, dropout and the context product in one
// kernel, its backward in two (dQ, then dK/dV), with no [B, H, T, T] tensor in memory — O(T) memory per row instead
// of O(T²), which is what lets long sequences train. Same semantics, and with the same dropout stream the very same
// dropout mask, as the unfused dropout(softmax(scores)) · v path in attention.ts.
import dropoutHashWgsl from '../../shaders/dropout_hash.wgsl';
import flashWgsl from '../../shaders/flash_attention.wgsl';
import flashCommonWgsl from '../../shaders/flash_attention_common.wgsl';
import flashTiledWgsl from '../../shaders/flash_attention_tiled.wgsl';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import { settings } from '../runtime/settings.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DropoutRng } from './dropout.js';
import { checkHeads } from './attention.js';
import { assertFloat, empty, grid1d } from './kernel.js';

export interface AttentionOptions {
  /** Scores are scale · q·kᵀ (DistilBERT: 1/√headDim). */
  scale: number;
  /** Key padding mask, int32 [B, T] (1 keep, 0 masked: Hugging Face's masked_fill with float32's minimum). */
  mask?: Tensor;
  /** Dropout on the attention probabilities (training only): probability and the stream it draws from. */
  dropout?: { p: number; rng: DropoutRng };
}

/** Largest head size the fused kernels hold in registers (D/4 vec4s per row, a few rows per invocation). */
const MAX_HEAD_DIM = 128;

/** Whether the fused kernels serve this head size on this device (else use the unfused path). */
export function flashAttentionSupports(headDim: number): boolean {
  return (
    headDim % 4 === 0 && headDim > 0 && headDim <= MAX_HEAD_DIM && runtime().limits.maxStorageBuffersPerShaderStage >= 8
  );
}

export interface FlashGeometry {
  /** Invocations per workgroup. */
  wg: number;
  /** Query (or key) rows per invocation. */
  rows: number;
}

/**
 * Workgroup size and rows per invocation, from settings (flashWorkgroup, flashRows): rows for heads up to 64, halved
 * (at least 1) for longer heads, which hold twice the registers per row.
 */
export function flashGeometry(headDim: number): FlashGeometry {
  const { flashWorkgroup: wg, flashRows: rows } = settings();
  return { wg, rows: headDim <= 64 ? rows : Math.max(1, Math.floor(rows / 2)) };
}

/** Rows of a staged tile (the tiled kernels): the most, up to 64, whose tiles fit `bytes` of workgroup memory. */
export function flashTileRows(headDim: number, bytes: number): number {
  for (let bc = 64; bc > 1; bc /= 2) if (bc * (2 * headDim * 4 + 16 + 4) <= bytes) return bc;
  return 1;
}

/**
 * The three entry points (forward; backward_dq, then backward_dkdv) for head size d with `rows` rows per invocation
 * (consts prepended to the source) and workgroups of `wg` (an override); `tile` > 0: the tiled kernels
 * (flash_attention_tiled.wgsl: K/V or Q/dO tiles of `tile` rows in workgroup memory), else the per-thread ones.
 */
const FLASH_ATTENTION = defineKernel({
  name: 'flash_attention',
  source: (p: { d: number; rows: number; wg: number; tile: number }) =>
    `const D4: u32 = ${p.d / 4}u;\nconst R: u32 = ${p.rows}u;\n${p.tile ? `const BC: u32 = ${p.tile}u;\n` : ''}` +
    `${dropoutHashWgsl}\n${flashCommonWgsl}\n${p.tile ? flashTiledWgsl : flashWgsl}`,
  label: (p) => `flash_attention${p.tile ? `_tiled${p.tile}` : ''}_d${p.d}_r${p.rows}`,
  constants: (p) => ({ WG: p.wg }),
  bindings: {
    q: 'read',
    k: 'read',
    v: 'read',
    mask: { access: 'read', optional: true },
    o: 'read_write',
    stats: 'read_write',
    dout: 'read',
    dq: 'read_write',
    dk: 'read_write',
    dv: 'read_write',
  },
  uniforms: {
    t: 'u32',
    heads: 'u32',
    blocks: 'u32',
    has_mask: 'u32',
    scale: 'f32',
    p: 'f32',
    seed_lo: 'u32',
    seed_hi: 'u32',
    offset: 'u32',
  },
  entryPoints: {
    forward: ['q', 'k', 'v', 'mask', 'o', 'stats'],
    backward_dq: ['q', 'k', 'v', 'mask', 'o', 'stats', 'dout', 'dq'],
    backward_dkdv: ['q', 'k', 'v', 'mask', 'stats', 'dout', 'dk', 'dv'],
  },
});

/** q, k, v: [B, T, H·D] (head h at columns h·D…) → context [B, T, H·D] = dropout(softmax(scale·q·kᵀ + mask))·v per head. */
export function flashAttention(q: Tensor, k: Tensor, v: Tensor, heads: number, options: AttentionOptions): Tensor {
  assertFloat('flashAttention', q, k, v);
  const [b, t, d] = checkHeads('flashAttention', q, heads);
  for (const [name, x] of [
    ['k', k],
    ['v', v],
  ] as const) {
    if (x.shape.join() !== q.shape.join())
      throw new Error(`flashAttention: ${name} [${x.shape}] must match q [${q.shape}]`);
  }
  if (!flashAttentionSupports(d))
    throw new Error(`flashAttention: head size ${d} not supported (needs a multiple of 4, at most ${MAX_HEAD_DIM})`);
  const { mask, scale } = options;
  if (mask && (mask.dtype !== 'i32' || mask.shape.join() !== [b, t].join())) {
    throw new Error(`flashAttention: mask must be int32 [${b}, ${t}], got ${mask.dtype} [${mask.shape}]`);
  }
  const p = options.dropout?.p ?? 0;
  if (!(p >= 0 && p < 1)) throw new Error(`flashAttention: dropout p must be in [0, 1), got ${p}`);
  const probs = b * heads * t * t; // elements of the [B, H, T, T] probabilities the unfused path would store
  // The dropout stream indexes those probabilities with u32s (as the unfused dropout kernel does).
  if (p > 0 && probs > 0xffffffff)
    throw new Error(
      `flashAttention: dropout over ${b}·${heads}·${t}² probabilities exceeds the 2^32 counters of one dropout stream; lower the batch`,
    );
  // The unfused path's dropout draws B·H·T·T counters for the probabilities; so do we, for the same mask.
  const rng = options.dropout?.rng;
  const offset = p > 0 && rng ? rng.next(probs) : 0;
  const seed = p > 0 && rng ? rng.seed : 0;

  const { wg, rows } = flashGeometry(d);
  const blocks = b * heads * Math.ceil(t / (wg * rows));
  const tile =
    settings().flashKernel === 'tiled' ? flashTileRows(d, runtime().limits.maxComputeWorkgroupStorageSize) : 0;
  const params = { d, rows, wg, tile };
  const uniforms = {
    t,
    heads,
    blocks,
    has_mask: mask ? 1 : 0,
    scale,
    p,
    seed_lo: seed >>> 0,
    seed_hi: Math.floor(seed / 2 ** 32) >>> 0,
    offset: offset >>> 0,
  };
  const grid = grid1d(blocks, 1);

  const o = empty(q.shape);
  const stats = empty([b * heads * t, 4]); // (m, 1/l, Δ, 0) per row
  const inputs = { q: q.binding, k: k.binding, v: v.binding, mask: mask?.binding };
  const forward = { ...inputs, o: o.binding, stats: stats.binding };
  runtime().dispatch(FLASH_ATTENTION, { params, entry: 'forward', bindings: forward, uniforms, grid });
  const out = record('flashAttention', [q, k, v], o, (g) => {
    const dq = empty(q.shape);
    const dk = empty(k.shape);
    const dv = empty(v.shape);
    const common = { ...inputs, o: o.binding, stats: stats.binding, dout: g.binding };
    const dkdv = { ...common, dk: dk.binding, dv: dv.binding };
    runtime().dispatch(FLASH_ATTENTION, {
      params,
      entry: 'backward_dq',
      bindings: { ...common, dq: dq.binding },
      uniforms,
      grid,
    });
    runtime().dispatch(FLASH_ATTENTION, { params, entry: 'backward_dkdv', bindings: dkdv, uniforms, grid });
    return [dq, dk, dv];
  });
  // stats live as long as the graph needs them: released with the output's scope.
  if (!out.gradFn) stats.dispose();
  return out;
}
