// Fused (flash-style) multi-head self-attention: scores, key mask, softmax, dropout and the context product in one
// kernel, its backward in two (dQ, then dK/dV), with no [B, H, T, T] tensor in memory — O(T) memory per row instead
// of O(T²), which is what lets long sequences train. Same semantics, and with the same dropout stream the very same
// dropout mask, as the unfused dropout(softmax(scores)) · v path in attention.ts.
import dropoutHashWgsl from '../../shaders/dropout_hash.wgsl';
import flashWgsl from '../../shaders/flash_attention.wgsl';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { Uniforms } from '../runtime/runtime.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DropoutRng } from './dropout.js';
import { checkHeads } from './attention.js';
import { assertFloat, dummyBinding, empty, grid1d, kernel } from './kernel.js';

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
  return headDim % 4 === 0 && headDim > 0 && headDim <= MAX_HEAD_DIM && runtime().limits.maxStorageBuffersPerShaderStage >= 8;
}

export interface FlashGeometry {
  /** Invocations per workgroup. */
  wg: number;
  /** Query (or key) rows per invocation. */
  rows: number;
}

let forcedGeometry: FlashGeometry | undefined;
/** Forces the kernels' geometry (tests and benches run both adapters' variants anywhere); undefined restores it. */
export function forceFlashGeometry(g: FlashGeometry | undefined): void {
  forcedGeometry = g;
}

/**
 * Workgroup size and rows per invocation: on software adapters one 8-lane subgroup with 4 rows per lane (2 for
 * heads over 64) so that every K/V load serves several rows (lavapipe's loads cost a per-lane loop each); elsewhere
 * 64 lanes of one row each (GPU registers).
 */
function geometry(headDim: number): FlashGeometry {
  if (forcedGeometry) return forcedGeometry;
  return runtime().info.isSoftware ? { wg: 8, rows: headDim <= 64 ? 4 : 2 } : { wg: 64, rows: 1 };
}

/** q, k, v: [B, T, H·D] (head h at columns h·D…) → context [B, T, H·D] = dropout(softmax(scale·q·kᵀ + mask))·v per head. */
export function flashAttention(q: Tensor, k: Tensor, v: Tensor, heads: number, options: AttentionOptions): Tensor {
  assertFloat('flashAttention', q, k, v);
  const [b, t, d] = checkHeads('flashAttention', q, heads);
  for (const [name, x] of [['k', k], ['v', v]] as const) {
    if (x.shape.join() !== q.shape.join()) throw new Error(`flashAttention: ${name} [${x.shape}] must match q [${q.shape}]`);
  }
  if (!flashAttentionSupports(d)) throw new Error(`flashAttention: head size ${d} not supported (needs a multiple of 4, at most ${MAX_HEAD_DIM})`);
  const { mask, scale } = options;
  if (mask && (mask.dtype !== 'i32' || mask.shape.join() !== [b, t].join())) {
    throw new Error(`flashAttention: mask must be int32 [${b}, ${t}], got ${mask.dtype} [${mask.shape}]`);
  }
  const p = options.dropout?.p ?? 0;
  if (!(p >= 0 && p < 1)) throw new Error(`flashAttention: dropout p must be in [0, 1), got ${p}`);
  const probs = b * heads * t * t; // elements of the [B, H, T, T] probabilities the unfused path would store
  // The dropout stream indexes those probabilities with u32s (as the unfused dropout kernel does).
  if (p > 0 && probs > 0xffffffff) throw new Error(`flashAttention: dropout over ${b}·${heads}·${t}² probabilities exceeds the 2^32 counters of one dropout stream; lower the batch`);
  // The unfused path's dropout draws B·H·T·T counters for the probabilities; so do we, for the same mask.
  const rng = options.dropout?.rng;
  const offset = p > 0 && rng ? rng.next(probs) : 0;
  const seed = p > 0 && rng ? rng.seed : 0;

  const { wg, rows } = geometry(d);
  const blocks = b * heads * Math.ceil(t / (wg * rows));
  const uniforms = new Uniforms()
    .u32(t, heads, blocks, mask ? 1 : 0)
    .f32(scale, p)
    .u32(seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, offset >>> 0).buffer;
  const code = `const D4: u32 = ${d / 4}u;\nconst R: u32 = ${rows}u;\n${dropoutHashWgsl}\n${flashWgsl}`;
  const entry = (name: string) => kernel(`flash_attention_d${d}_r${rows}`, code, { WG: wg }, name); // WG: a pipeline constant
  const maskBinding = mask ? mask.binding : dummyBinding();
  const grid = grid1d(blocks, 1);

  // Storage bindings 0-9 in the shader's order (null: unused by the entry point); the uniforms follow at 10.
  const o = empty(q.shape);
  const stats = empty([b * heads * t, 4]); // (m, 1/l, Δ, 0) per row
  runtime().dispatch(entry('forward'), [q.binding, k.binding, v.binding, maskBinding, o.binding, stats.binding, null, null, null, null], uniforms, grid);
  const out = record('flashAttention', [q, k, v], o, (g) => {
    const dq = empty(q.shape);
    const dk = empty(k.shape);
    const dv = empty(v.shape);
    const common = [q.binding, k.binding, v.binding, maskBinding];
    runtime().dispatch(entry('backward_dq'), [...common, o.binding, stats.binding, g.binding, dq.binding, null, null], uniforms, grid);
    runtime().dispatch(entry('backward_dkdv'), [...common, null, stats.binding, g.binding, null, dk.binding, dv.binding], uniforms, grid);
    return [dq, dk, dv];
  });
  // stats live as long as the graph needs them: released with the output's scope.
  if (!out.gradFn) stats.dispose();
  return out;
}
