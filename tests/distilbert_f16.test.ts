// The f16 weight path of DistilBERT (setMatmulDtype('f16'), TrainingArguments.fp16, pipeline dtype 'fp16'): every
// Linear product reads float16 copies of the f32 weights. Against the f32 model on the tiny golden model and batch:
// logits and every parameter gradient close (rounding the weights to halves moves them by ≲ 2^-11 relative), but
// not equal (the halves were really used); gradients stay f32 and reach the f32 weights; the Trainer and the
// pipeline take the option; adapters without shader-f16 get an error naming the option.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { itNeeds, lacksFeature } from './helpers/needs.js';
import * as wt from '../src/index.js';
import { Linear } from '../src/nn/layers.js';
import { MemoryCheckpointStore, Trainer, TrainingArguments, TrainingArgumentsError } from '../src/train/index.js';
import { goldenBatch, goldenCollator, placeholderDataset, tinyModel } from './trainer.helpers.js';

// Reported as skipped, with this reason, where the adapter lacks shader-f16 (lavapipe has it: CI runs them).
const NO_F16 = await lacksFeature('shader-f16');

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Number.isNaN(a[i]) ? Infinity : Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};
const maxAbs = (a: ArrayLike<number>): number => Math.max(1e-6, ...Array.from(a, Math.abs));

/** Without shader-f16 for the duration of fn (the adapter's feature set is consulted per call). */
function withoutF16<T>(fn: () => T): T {
  const features = wt.runtime().features as Set<string>;
  const had = features.delete('shader-f16');
  try {
    return fn();
  } finally {
    if (had) features.add('shader-f16');
  }
}

const FINETUNED = '../shared/golden/finetuned-small';
const FP16_SCORE_TOL = 1e-3;
const trainArgs = (fp16: boolean): TrainingArguments =>
  new TrainingArguments({
    outputDir: 'mem',
    fp16,
    learningRate: 1e-3,
    perDeviceTrainBatchSize: 3,
    maxSteps: 3,
    loggingSteps: 1,
    saveStrategy: 'no',
    seed: 1,
  });
const makeTrainer = (model: wt.DistilBertForSequenceClassification, fp16: boolean): Trainer =>
  new Trainer({
    model,
    args: trainArgs(fp16),
    trainDataset: placeholderDataset(9),
    dataCollator: goldenCollator,
    store: new MemoryCheckpointStore(),
  });

describe('DistilBERT with f16 weights in its Linear products', () => {
  const batch = goldenBatch();
  const inputs = {
    inputIds: { data: batch.inputIds, shape: [batch.batchSize, batch.seqLen] },
    attentionMask: { data: batch.attentionMask, shape: [batch.batchSize, batch.seqLen] },
    labels: batch.labels,
  };

  itNeeds(NO_F16, 'logits and all parameter gradients close to the f32 model, not equal; gradients f32', async () => {
    const m = (await tinyModel(true)).train();
    const run = (): Promise<{ logits: Float32Array; grads: Float32Array[] }> =>
      wt.tidyAsync(async () => {
        const { logits, loss } = m.forward(inputs as never);
        wt.backward(loss!);
        const grads = await Promise.all(
          m.parameters().map(async (p) => {
            expect(p.grad!.dtype).toBe('f32');
            return (await p.grad!.data()) as Float32Array;
          }),
        );
        m.zeroGrad();
        m.parameters().forEach((p) => {
          p.grad?.dispose();
          p.grad = undefined;
        });
        return { logits: (await logits.data()) as Float32Array, grads };
      });
    const f32 = await run();
    m.setMatmulDtype('f16');
    const linears: Linear[] = [];
    const walk = (mod: wt.Module): void => {
      if (mod instanceof Linear) linears.push(mod);
      mod.children().forEach(([, c]) => walk(c));
    };
    walk(m);
    expect(linears.length).toBeGreaterThan(4);
    expect(linears.every((l) => l.weightDtype === 'f16')).toBe(true);
    const f16 = await run();
    const dLogits = maxDiff(f16.logits, f32.logits) / maxAbs(f32.logits);
    expect(dLogits).toBeGreaterThan(0); // the halves were used
    expect(dLogits).toBeLessThan(5e-3);
    const names = m.namedParameters().map(([n]) => n);
    let worst = 0;
    f16.grads.forEach((g, i) => {
      const err = maxDiff(g, f32.grads[i]) / maxAbs(f32.grads[i]);
      worst = Math.max(worst, err);
      expect(err, names[i]).toBeLessThan(2e-2);
    });
    console.log(
      `f16 weights vs f32 (tiny golden model): logits max|Δ|/max|logit| ${dLogits.toExponential(2)}; ${names.length} gradients, worst max|Δ|/max|g| ${worst.toExponential(2)}`,
    );
    m.setMatmulDtype('f32');
    const back = await run();
    expect(maxDiff(back.logits, f32.logits)).toBe(0);
    m.dispose();
  });

  itNeeds(
    NO_F16,
    'training steps with f16 copies keep GPU memory flat, read nothing back, and the copies follow the steps',
    async () => {
      const m = (await tinyModel(true)).train().setMatmulDtype('f16');
      const opt = new wt.AdamW(m.optimizerGroups(0.01), { lr: 1e-3 });
      const rt = wt.runtime();
      await rt.sync();
      const reads = rt.readbackCount;
      const snapshots: ReturnType<typeof wt.memory>[] = [];
      for (let it = 0; it < 8; it++) {
        wt.tidy(() => {
          wt.backward(m.forward(inputs as never).loss!);
          opt.stepWith(
            opt.lr,
            wt.gradNorm(
              m.parameters().map((p) => p.grad!),
              1.0,
            ),
          );
          opt.zeroGrad();
        });
        snapshots.push(wt.memory());
        await rt.sync();
      }
      expect(rt.readbackCount).toBe(reads);
      for (let k = 2; k < snapshots.length; k++)
        expect(snapshots[k], `memory after step ${k + 1}`).toEqual(snapshots[1]);
      // The kept f16 copies followed the 8 optimizer steps: eval logits match the f32 weights' (stale copies would not).
      m.eval();
      const logits = (): Promise<Float32Array> =>
        wt.noGrad(() => wt.tidyAsync(async () => (await m.forward(inputs as never).logits.data()) as Float32Array));
      const f16 = await logits();
      m.setMatmulDtype('f32');
      const f32 = await logits();
      expect(maxDiff(f16, f32) / maxAbs(f32)).toBeLessThan(5e-3);
      opt.dispose();
      m.dispose();
    },
  );

  itNeeds(NO_F16, 'inference reuses one f16 copy per weight version: new weights are seen', async () => {
    const m = (await tinyModel(true)).eval();
    const logits = (): Promise<Float32Array> =>
      wt.noGrad(() => wt.tidyAsync(async () => (await m.forward(inputs as never).logits.data()) as Float32Array));
    m.setMatmulDtype('f16');
    const first = await logits();
    expect(maxDiff(await logits(), first)).toBe(0); // the kept copies, same values
    // New weights (every one scaled by 0.5): the copies must follow, or the logits would stay `first`.
    const state = await m.stateDict();
    m.loadStateDict(new Map([...state].map(([k, v]) => [k, v.map((x) => x * 0.5)])));
    const f16 = await logits();
    m.setMatmulDtype('f32');
    const f32 = await logits();
    expect(maxDiff(f16, f32) / maxAbs(f32)).toBeLessThan(5e-3);
    expect(maxDiff(f16, first)).toBeGreaterThan(1e-3);
    m.dispose();
  });

  it('TrainingArguments.fp16 is saved; without shader-f16 the Trainer refuses it, naming fp16', async () => {
    const args = trainArgs(true);
    expect(args.toJSON().fp16).toBe(true);
    expect(TrainingArguments.fromJSON({ ...args.toJSON() }).fp16).toBe(true);
    const model = await tinyModel(true);
    expect(() => withoutF16(() => makeTrainer(model, true))).toThrow(TrainingArgumentsError);
    expect(() => withoutF16(() => makeTrainer(model, true))).toThrow(/fp16: .*shader-f16/);
    model.dispose();
  });

  itNeeds(NO_F16, 'TrainingArguments.fp16: the Trainer trains through f16 products', async () => {
    const model = await tinyModel(true);
    const before = await model.stateDict();
    const trainer = makeTrainer(model, true);
    await trainer.train();
    const losses = trainer.state.logHistory.filter((e) => 'loss' in e).map((e) => e.loss as number);
    expect(losses).toHaveLength(3);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[2]).toBeLessThan(losses[0]); // the same batch three times: the loss falls
    const after = await model.stateDict();
    expect(maxDiff(after.get('classifier.weight')!, before.get('classifier.weight')!)).toBeGreaterThan(0);
    trainer.dispose();
    model.dispose();
  });

  it('pipeline dtype: bad values and a missing shader-f16 are named', async () => {
    await expect(wt.pipeline('sentiment-analysis', FINETUNED, { dtype: 'fp8' as never })).rejects.toThrow(
      /dtype must be 'fp32' or 'fp16', got "fp8"/,
    );
    const model = await tinyModel(true);
    expect(() => withoutF16(() => model.setMatmulDtype('f16'))).toThrow(
      /setMatmulDtype\('f16'\): .*lacks the WebGPU feature shader-f16/,
    );
    model.dispose();
  });

  // The fine-tuned golden model (scores 0.54-0.98, distinct per text), so a wrong or swapped score cannot pass.
  itNeeds(
    NO_F16,
    'pipeline dtype fp16: labels and scores close to the transformers golden (fine-tuned model)',
    async () => {
      const golden = JSON.parse(readFileSync(`${FINETUNED}/pipeline.json`, 'utf8')) as {
        texts: string[];
        outputs: wt.LabelScore[][];
      };
      const classifier = await wt.pipeline('sentiment-analysis', FINETUNED, { dtype: 'fp16' });
      const out = (await classifier(golden.texts)) as wt.LabelScore[];
      classifier.dispose();
      expect(out).toHaveLength(golden.outputs.length);
      const dScore = Math.max(...out.map((r, i) => Math.abs(r.score - golden.outputs[i]![0]!.score)));
      console.log(
        `pipeline dtype fp16 vs transformers (f32), fine-tuned model: max |Δscore| ${dScore.toExponential(2)}`,
      );
      out.forEach((r, i) => expect(r.label, `text ${i}`).toBe(golden.outputs[i]![0]!.label));
      expect(dScore).toBeLessThan(FP16_SCORE_TOL);
      expect(dScore).toBeGreaterThan(0); // the halves were used
    },
  );
});
