// Autotuning of strided products on this adapter: every kernel choice of a product's (layout, shape class) key is
// timed and the fastest recorded in the process-wide autotuner (runtime/autotune.ts), which planMatmul consults.
import { autotuner, type TuneResult } from '../runtime/autotune.js';
import { runtime } from '../runtime/device.js';
import { settings, withSettings } from '../runtime/settings.js';
import type { Tensor } from '../tensor/tensor.js';
import { candidateChoices, matmulTuneKey, operandLayout, recordMatmulKeys, withKeyForced } from './matmul_select.js';
import { splitKChoices } from './matmul_splitk.js';
import { stridedMatmul, type StridedMatmulArgs } from './matmul_strided.js';

/**
 * Autotunes every strided product that `run` encodes (a matmul, an attention op, a backward…): each product's
 * (layout, shape class) key gets the kernel choice that made `run` fastest, tried one key at a time. `run` returns
 * tensors to dispose. repeats / minMs: rounds per key (Autotuner.tune; defaults from settings()).
 */
export async function autotuneMatmulOp(
  run: () => (Tensor | null | undefined)[] | void,
  repeats = settings().autotuneRepeats,
  skipKnown = false,
  minMs = settings().autotuneMinMs,
): Promise<TuneResult[]> {
  const runOnce = (): void => {
    for (const t of run() ?? []) t?.dispose();
  };
  const recorded = recordMatmulKeys(runOnce);
  const keys = [...recorded.keys()].filter((k) => !(skipKnown && autotuner.choice(k) !== undefined));
  const results: TuneResult[] = [];
  for (const key of keys) {
    const { layout, splits } = recorded.get(key)!;
    const candidates = candidateChoices(layout, splits).map((id) => ({
      id,
      run: () => withKeyForced(key, id, runOnce),
    }));
    results.push(await autotuner.tune(runtime(), key, candidates, repeats, minMs));
  }
  return results;
}

/**
 * Autotunes the kernel of one strided product on this adapter (times the generic kernel and every fitting fast
 * config, records the fastest for the product's layout and shape class). Inputs must stay alive meanwhile; `c` is
 * overwritten.
 */
export async function autotuneStridedMatmul(
  args: StridedMatmulArgs,
  repeats = settings().autotuneRepeats,
): Promise<TuneResult | undefined> {
  const layout = operandLayout(args);
  const key = matmulTuneKey(args);
  if (!layout || !key) return undefined;
  const plain = { ...args, accumulate: false };
  const candidates = candidateChoices(layout, splitKChoices(plain)).map((id) => ({
    id,
    run: () => withSettings({ matmulKernel: id }, () => stridedMatmul(plain)),
  }));
  return autotuner.tune(runtime(), key, candidates, repeats);
}
