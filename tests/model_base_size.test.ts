// A distilbert-base-sized classifier (dim 768, 6 layers, 12 heads, vocab 30522, random init) runs forward and
// backward at batch 2 × 128 within the device's binding limits. Slow on lavapipe, hence its own file.
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';

beforeAll(async () => {
  await gpu();
});

describe('base-size DistilBERT', () => {
  it('forward + backward at [2, 128], reports GPU memory', async () => {
    const t0 = performance.now();
    const model = wt.DistilBertForSequenceClassification.fromConfig(new wt.DistilBertConfig({}), { seed: 0 });
    const nParams = model.parameters().reduce((n, p) => n + p.size, 0);
    expect(nParams).toBe(66_955_010);
    model.train();
    const ids = Array.from({ length: 2 }, (_, b) =>
      Array.from({ length: 128 }, (_, t) => (t === 0 ? 101 : t === 127 ? 102 : 1000 + ((b * 131 + t * 17) % 28000))),
    );
    const mask = ids.map((row, b) => row.map((_, t) => (b === 1 && t >= 100 ? 0 : 1)));
    const t1 = performance.now();
    const { loss, norm, peak } = await wt.tidyAsync(async () => {
      const out = model.forward({ inputIds: ids, attentionMask: mask, labels: [0, 1] });
      wt.backward(out.loss!);
      const nc = wt.gradNorm(model.parameters().map((p) => p.grad!));
      const values = [await out.loss!.item(), (await nc.array())[0]];
      return { loss: values[0], norm: values[1], peak: wt.memory() };
    });
    const t2 = performance.now();
    expect(Number.isFinite(loss)).toBe(true);
    // Random init: near-uniform predictions (logit differences have a std of ~0.3 here, and the dropout draw moves
    // the loss too, so only a loose band).
    expect(Math.abs(loss - Math.log(2))).toBeLessThan(0.25);
    expect(norm).toBeGreaterThan(0);
    expect(model.parameters().every((p) => p.grad && p.grad.shape.join() === p.shape.join())).toBe(true);
    model.zeroGrad();
    // Dropout off: the padding-skipping forward (row 1 is padded) gives the padded forward's loss at full size.
    model.eval();
    const evalLoss = (skipPadding: boolean): Promise<number> =>
      wt.noGrad(() =>
        wt.tidyAsync(() =>
          model.forward({ inputIds: ids, attentionMask: mask, labels: [0, 1] }, { skipPadding }).loss!.item(),
        ),
      );
    const [packed, padded] = [await evalLoss(true), await evalLoss(false)];
    expect(Math.abs(packed - padded)).toBeLessThan(1e-5);
    console.log(
      `base-size: init ${((t1 - t0) / 1000).toFixed(1)} s, forward+backward ${((t2 - t1) / 1000).toFixed(1)} s, loss ${loss}, grad norm ${norm}`,
    );
    console.log(
      'GPU memory at the end of backward',
      peak,
      'after',
      wt.memory(),
      'binding limit',
      wt.runtime().limits.maxStorageBufferBindingSize,
    );
    model.dispose();
  }, 600_000);
});
