// Autocast: torch.autocast('cuda', dtype=torch.float16) for our ops. Inside autocast('f16', fn), matmul() (every
// Linear, the classifier head) casts float32 operands to float16 and its backward runs its two products on float16
// operands too (the incoming gradient cast once), all with float32 accumulation, as torch's f16 GEMMs do. The ops
// torch autocasts to float32 (softmax, LayerNorm, the loss, reductions) and the elementwise ops stay float32 here.
// Two differences from torch, both towards precision: a product's result is stored float32 (torch rounds it to
// float16), and the attention products (q·kᵀ, P·v) stay float32. The weights' casts are cached per weight version by
// Linear (nn/layers.ts: weightDtype 'f16'), as torch's autocast caches them per forward.
import { runtime } from '../runtime/device.js';
import { withRestore } from '../util/scoped.js';

export type AutocastDtype = 'f16';

let depth = 0;
let enabledDepth = 0;

/**
 * Runs fn with autocast on (dtype 'f16'; the adapter needs shader-f16), or off (null: an autocast-free region inside
 * one, as torch.autocast(enabled=False)). Restored afterwards, also when fn's promise settles.
 */
export function autocast<T>(dtype: AutocastDtype | null, fn: () => T): T {
  if (dtype !== null && dtype !== 'f16')
    throw new Error(`autocast: dtype must be 'f16' or null, got ${JSON.stringify(dtype)}`);
  if (dtype === 'f16' && !runtime().features.has('shader-f16')) {
    throw new Error(
      `autocast('f16'): this adapter (${runtime().info.description}) lacks the WebGPU feature shader-f16`,
    );
  }
  const saved = [depth, enabledDepth];
  depth++;
  enabledDepth = dtype === null ? 0 : depth;
  const restore = (): void => void ([depth, enabledDepth] = saved);
  return withRestore(fn, restore);
}

/** The dtype products are cast to now ('f16' inside autocast('f16', …)), or null. */
export function autocastDtype(): AutocastDtype | null {
  return enabledDepth > 0 ? 'f16' : null;
}
