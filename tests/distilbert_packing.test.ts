// Skipping the padding (src/models/common/packing.ts): the packed forward (kept tokens only, [CLS]-only last
// layer) against the padded forward of the same model on awkward masks: logits, loss and every parameter gradient;
// when it is taken and when it is not. (Against transformers too: the pipeline golden test's batched texts and the
// Trainer golden test's batch are padded, and both run packed.)
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import { planPacking } from '../src/models/common/packing.js';
import { countGathers } from './distilbert.helpers.js';

beforeAll(async () => {
  await gpu();
});

const [B, T] = [6, 11];
/** Masks: right padding, left padding, holes, a [CLS] whose own mask is 0, a full row, a single token. */
const MASK = [
  [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0],
  [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1],
  [1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0],
  [0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
];

function model(dropout = 0.1): wt.DistilBertForSequenceClassification {
  const m = wt.DistilBertForSequenceClassification.fromConfig(
    {
      vocab_size: 97,
      dim: 32,
      n_heads: 4,
      hidden_dim: 48,
      n_layers: 3,
      max_position_embeddings: 16,
      num_labels: 3,
      dropout,
      attention_dropout: dropout,
      seq_classif_dropout: dropout,
    },
    { seed: 5 },
  );
  return m.eval();
}

function ids(seed: number): number[][] {
  const r = wt.seededRandom(seed);
  return MASK.map((row) => row.map((_, t) => (t === 0 ? 2 : 3 + Math.floor(r() * 90))));
}

async function logits(
  m: wt.DistilBertForSequenceClassification,
  inputs: wt.ClassifierInputs,
  skipPadding: boolean,
): Promise<{ values: Float32Array; gathers: number }> {
  return wt.tidyAsync(async () => {
    const { result, gathers } = countGathers(() => m.forward(inputs, { skipPadding }).logits);
    return { values: (await result.data()) as Float32Array, gathers };
  });
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Number.isNaN(a[i] - b[i]) ? Infinity : Math.abs(a[i] - b[i]));
  return d;
}

describe('DistilBERT without the padding', () => {
  it('plans the kept tokens, their positions and the re-padded slots', async () => {
    const plan = planPacking([101, 7, 8, 0, 5, 6, 9, 0], [1, 1, 1, 0, 0, 1, 1, 0], 2, 4)!;
    expect([plan.batch, plan.tmax, plan.tokens]).toEqual([2, 3, 6]);
    // Row 1's [CLS] slot (position 0) is kept although its mask is 0, and stays masked as a key.
    expect([...(await plan.ids.data())]).toEqual([101, 7, 8, 5, 6, 9]);
    expect([...(await plan.positions.data())]).toEqual([0, 1, 2, 0, 1, 2]);
    expect([...(await plan.pack.data())]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...(await plan.unpack.data())]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...(await plan.mask.data())]).toEqual([1, 1, 1, 0, 1, 1]);
    expect([...(await plan.cls.data())]).toEqual([0, 3]);
    // No unmasked key in a row: HF averages over every position there, so no plan (the padded forward runs).
    expect(planPacking([1, 2, 3, 4], [1, 0, 0, 0], 2, 2)).toBeUndefined();
  });

  it("gives the padded forward's logits on awkward masks (and the packed path is taken)", async () => {
    const m = model();
    for (const seed of [1, 2]) {
      const inputs = { inputIds: ids(seed), attentionMask: MASK };
      const padded = await wt.noGrad(() => logits(m, inputs, false));
      const packed = await wt.noGrad(() => logits(m, inputs, true));
      expect(padded.gathers).toBe(2);
      expect(packed.gathers).toBeGreaterThan(2);
      expect(maxDiff(packed.values, padded.values), `seed ${seed}`).toBeLessThan(2e-5);
      expect(packed.values.length).toBe(B * 3);
    }
    // Without a mask every token is kept: only the last layer's [CLS]-only finish differs.
    const noMask = { inputIds: ids(3) };
    const a = await wt.noGrad(() => logits(m, noMask, false));
    const b = await wt.noGrad(() => logits(m, noMask, true));
    expect(b.gathers).toBeGreaterThan(2);
    expect(maxDiff(a.values, b.values)).toBeLessThan(2e-5);
  });

  it('the loss from packed logits equals the padded one', async () => {
    const m = model();
    const inputs = { inputIds: ids(4), attentionMask: MASK, labels: [0, 1, 2, 2, 1, 0] };
    const loss = (skipPadding: boolean): Promise<number> =>
      wt.noGrad(() => wt.tidyAsync(async () => (await m.forward(inputs, { skipPadding }).loss!.data())[0]));
    expect(Math.abs((await loss(true)) - (await loss(false)))).toBeLessThan(2e-6);
  });

  it('training: the same loss and parameter gradients (dropout 0), through the Trainer-style host inputs', async () => {
    const m = model(0).train();
    const inputs = { inputIds: ids(7), attentionMask: MASK, labels: [2, 0, 1, 1, 0, 2] };
    const run = (skipPadding: boolean): Promise<{ loss: number; grads: Float32Array[]; gathers: number }> =>
      wt.tidyAsync(async () => {
        const { result: loss, gathers } = countGathers(() => m.forward(inputs, { skipPadding }).loss!);
        wt.backward(loss);
        const grads = await Promise.all(m.parameters().map(async (p) => (await p.grad!.data()) as Float32Array));
        m.parameters().forEach((p) => {
          p.grad?.dispose();
          p.grad = undefined;
        });
        return { loss: (await loss.data())[0], grads, gathers };
      });
    const padded = await run(false);
    const packed = await run(true);
    expect(padded.gathers).toBe(2);
    expect(packed.gathers).toBeGreaterThan(2);
    expect(Math.abs(packed.loss - padded.loss)).toBeLessThan(2e-6);
    const names = m.namedParameters().map(([n]) => n);
    let worst = 0;
    packed.grads.forEach((g, i) => {
      const want = padded.grads[i];
      const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
      const err = maxDiff(g, want) / scale;
      worst = Math.max(worst, err);
      expect(err, names[i]).toBeLessThan(1e-4);
    });
    console.log(
      `packed vs padded training gradients: ${names.length} tensors, worst max|Δ|/max|g| ${worst.toExponential(2)}`,
    );
  });

  it('training with dropout: packed, finite, and the same run twice from the same seed', async () => {
    const losses: number[] = [];
    for (let r = 0; r < 2; r++) {
      const m = model(0.1).train();
      const inputs = { inputIds: ids(8), attentionMask: MASK, labels: [0, 1, 2, 0, 1, 2] };
      losses.push(
        await wt.tidyAsync(async () => {
          const { result: loss, gathers } = countGathers(() => m.forward(inputs).loss!);
          expect(gathers).toBeGreaterThan(2);
          wt.backward(loss);
          for (const p of m.parameters())
            expect(Number.isFinite(Array.from(await p.grad!.data()).reduce((a, v) => a + Math.abs(v), 0)), p.name).toBe(
              true,
            );
          return (await loss.data())[0];
        }),
      );
      m.dispose();
    }
    expect(Number.isFinite(losses[0])).toBe(true);
    expect(losses[1]).toBe(losses[0]);
  });

  it('runs padded when packing is not exact or not wanted: all-masked row, hidden states, GPU mask, skipPadding false', async () => {
    const m = model();
    const allMasked = MASK.map((row, b) => (b === 2 ? row.map(() => 0) : row));
    const withHole = { inputIds: ids(5), attentionMask: allMasked };
    const forced = await wt.noGrad(() => logits(m, withHole, false));
    const auto = await wt.noGrad(() => logits(m, withHole, true));
    expect(auto.gathers).toBe(2);
    expect(maxDiff(auto.values, forced.values)).toBe(0);

    const inputs = { inputIds: ids(6), attentionMask: MASK };
    expect((await wt.noGrad(() => logits(m, inputs, false))).gathers, 'skipPadding: false').toBe(2);
    const hidden = wt.noGrad(() =>
      wt.tidy(() => countGathers(() => m.forward(inputs, { outputHiddenStates: true }).hiddenStates!.length)),
    );
    expect(hidden).toEqual({ result: 4, gathers: 2 });
    const gpuMask = wt.tensor(Int32Array.from(MASK.flat()), [B, T], 'i32');
    expect(
      (await wt.noGrad(() => logits(m, { inputIds: ids(6), attentionMask: gpuMask }, true))).gathers,
      'GPU mask',
    ).toBe(2);
    gpuMask.dispose();
  });
});
