// Cross-entropy from logits: torch's CrossEntropyLoss(reduction='mean', ignore_index=-100).
import crossEntropyWgsl from '../../shaders/cross_entropy.wgsl';
import { record } from '../autograd/tape.js';
import { runtime } from '../runtime/device.js';
import { defineKernel } from '../runtime/kernel_def.js';
import { Tensor } from '../tensor/tensor.js';
import { assertFloat, empty, grid1d } from './kernel.js';

/** forward: out = (mean loss, counted rows), one workgroup; backward: dlogits from dloss and out's counted rows. */
const CROSS_ENTROPY = defineKernel({
  name: 'cross_entropy',
  source: crossEntropyWgsl,
  bindings: { logits: 'read', labels: 'read', dloss: 'read', out: 'read_write', dlogits: 'read_write' },
  uniforms: { rows: 'u32', classes: 'u32', ignore_index: 'i32' },
  entryPoints: { forward: ['logits', 'labels', 'out'], backward: ['logits', 'labels', 'dloss', 'out', 'dlogits'] },
});

/**
 * logits: [N, C], labels: int32 [N] (values in [0, C) or ignoreIndex) → scalar [] mean loss over counted rows.
 * Labels come from the host and are range-checked there (see checkLabels); nothing is read back here.
 */
export function crossEntropy(logits: Tensor, labels: Tensor, ignoreIndex = -100): Tensor {
  assertFloat('crossEntropy', logits);
  if (logits.rank !== 2) throw new Error(`crossEntropy: logits must be [N, C], got [${logits.shape}]`);
  if (labels.dtype !== 'i32' || labels.size !== logits.shape[0]) {
    throw new Error(`crossEntropy: labels must be int32 [${logits.shape[0]}], got ${labels.dtype} [${labels.shape}]`);
  }
  const [rows, classes] = logits.shape;
  const stats = empty([2]);
  const uniforms = { rows, classes, ignore_index: ignoreIndex };
  const rt = runtime();
  const inputs = { logits: logits.binding, labels: labels.binding };
  rt.dispatch(CROSS_ENTROPY, { entry: 'forward', bindings: { ...inputs, out: stats.binding }, uniforms, grid: [1] });
  // The loss is a scalar view of stats[0]; stats[1] (the counted rows) stays in the shared buffer for the backward.
  const loss = new Tensor([], 'f32', stats.storage.retain());
  stats.dispose();
  return record('crossEntropy', [logits, labels], loss, (g) => {
    const dlogits = empty(logits.shape);
    rt.dispatch(CROSS_ENTROPY, {
      entry: 'backward',
      bindings: { ...inputs, dloss: g.binding, out: { buffer: loss.buffer, size: 8 }, dlogits: dlogits.binding },
      uniforms,
      grid: grid1d(rows * classes, 64),
    });
    return [dlogits, null];
  });
}

/** Host-side label check: a clear error naming the offending example instead of a silently wrong loss. */
export function checkLabels(labels: ArrayLike<number>, numLabels: number, ignoreIndex = -100): void {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l !== ignoreIndex && !(Number.isInteger(l) && l >= 0 && l < numLabels)) {
      throw new Error(
        `labels[${i}] = ${l} is out of range: expected an integer in [0, ${numLabels}) or ${ignoreIndex} (ignored)`,
      );
    }
  }
}
