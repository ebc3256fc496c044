// npm run bench:train: the DistilBERT-base training step (forward + backward + clip + AdamW) at batch 8 × 128 and
// inference at batch 1 and 32 × 128: ms per step, examples/s, achieved GFLOP/s, GPU memory, the ten most expensive
// kernels (GPU timestamps per dispatch over one profiled step), and a readback counter proving that a step reads
// nothing back. Writes <out>/<adapter>.train.json.
// Usage: node dist/bench/train.js [--batch 8] [--seq 128] [--min-length 0.6] [--steps N] [--infer 1,32] [--layers 6] [--out DIR]
//        [--no-profile] [--no-tune] [--attention auto|fused|unfused] [--fp16]
// --fp16: every Linear product reads float16 weight copies (TrainingArguments.fp16; needs shader-f16).
import * as wt from '../src/index.js';
import { adapterRecord, adapterSlug, fmt, GpuTimer, loadAutotuneCache, parseArgs, saveAutotuneCache, startRuntime, table, writeResults } from './lib/common.js';
import { autotuneMatmulOp } from '../src/ops/matmul_autotune.js';
import { dims, kernelCases } from './lib/kernel_cases.js';

const args = parseArgs();
const rt = await startRuntime();
const num = (k: string, d: number): number => (args.rest.has(k) ? Number(args.rest.get(k)) : d);
const batch = num('batch', 8);
const seq = num('seq', 128);
const layers = num('layers', 6);
const steps = num('steps', rt.info.isSoftware ? 2 : 10);
// Sequence lengths are uniform in [min-length, 1] · seq (0.6: 80% of the tokens real; IMDb batches of 16 padded to
// their longest review, truncated at 512, have 54% real tokens: --seq 512 --min-length 0.1 is close to that).
const minLength = num('min-length', 0.6);
const inferBatches = (args.rest.get('infer') ?? '1,32').split(',').map(Number).filter((b) => b > 0); // --infer 0: none
const profile = !args.rest.has('no-profile');
if (args.rest.has('attention')) wt.configure({ attentionKernel: args.rest.get('attention') as wt.AttentionKernel });
if (!args.rest.has('no-tune')) {
  // Tuned kernels for this step's products: the cached choices, plus a one-off tuning of every matmul product at this
  // batch's shapes whose (layout, shape class) key is not cached yet (saved for the next run).
  await loadAutotuneCache();
  let tuned = 0;
  for (const c of kernelCases(dims((batch * seq) / (16 * 128))).filter((k) => k.kind === 'matmul')) {
    const { run, dispose } = c.setup();
    tuned += (await autotuneMatmulOp(run, undefined, true)).length;
    dispose();
  }
  if (tuned) console.log(`autotuned ${tuned} matmul product keys; cache: ${saveAutotuneCache()}`);
}

const attentionPath = wt.attentionKernelFor(64, batch * 12 * seq * seq * 4, 12 * seq * seq * 4); // DistilBERT-base: 12 heads of 64
console.log(`adapter: ${rt.info.description}; DistilBERT-base (${layers} layers)${args.rest.has('fp16') ? ', f16 weights in Linear products' : ''}, train ${batch}×${seq}, ${steps} steps; attention kernels: ${attentionPath}; inference ${inferBatches.map((b) => `${b}×${seq}`).join(', ')}`);

const config = new wt.DistilBertConfig({ n_layers: layers, num_labels: 2 });
const model = wt.DistilBertForSequenceClassification.fromConfig(config, { seed: 1 });
const params = model.parameters();
const nParams = params.reduce((s, p) => s + p.size, 0);
const fp16 = args.rest.has('fp16');
if (fp16) model.setMatmulDtype('f16');
const opt = new wt.AdamW(model.optimizerGroups(0.01), { lr: 2e-5 });

function inputs(b: number, seed: number): { inputIds: wt.Tensor; attentionMask: wt.Tensor; labels: wt.Tensor; host: { inputIds: wt.IntMatrixInput; attentionMask: wt.IntMatrixInput } } {
  const rand = wt.seededRandom(seed);
  const ids = new Int32Array(b * seq);
  const mask = new Int32Array(b * seq);
  for (let i = 0; i < b; i++) {
    const len = Math.max(8, Math.round(seq * (minLength + (1 - minLength) * rand())));
    for (let t = 0; t < seq; t++) {
      ids[i * seq + t] = t < len ? (t === 0 ? 101 : 1000 + Math.floor(rand() * 28000)) : 0;
      mask[i * seq + t] = t < len ? 1 : 0;
    }
  }
  const labels = Int32Array.from({ length: b }, () => (rand() < 0.5 ? 0 : 1));
  return {
    inputIds: wt.tensor(ids, [b, seq], 'i32').keep(),
    attentionMask: wt.tensor(mask, [b, seq], 'i32').keep(),
    labels: wt.tensor(labels, [b], 'i32').keep(),
    host: { inputIds: { data: ids, shape: [b, seq] }, attentionMask: { data: mask, shape: [b, seq] } },
  };
}

/** Matmul FLOPs of one forward at b×seq (attention included; elementwise work ignored). */
function forwardFlops(b: number): number {
  const tokens = b * seq;
  const d = config.dim;
  const f = config.hidden_dim;
  const perLayer = 2 * tokens * (4 * d * d + 2 * d * f) + 2 * 2 * b * seq * seq * d;
  return layers * perLayer + 2 * b * (d * d + d * 2);
}

function trainStep(x: wt.ClassifierInputs): void {
  wt.tidy(() => {
    const out = model.forward(x);
    wt.backward(out.loss!);
    // Clipping fused into AdamW: the coefficient (element 1 of gradNorm's result) is read by the AdamW kernel on the
    // GPU, so the gradients are read once by the norm and once by the update (no in-place scaling pass).
    const norm = wt.gradNorm(params.flatMap((p) => (p.grad ? [p.grad] : [])), 1.0);
    opt.stepWith(2e-5, norm);
    opt.zeroGrad();
    return undefined;
  });
}

const timer = new GpuTimer(rt, args.timer);
const result: Record<string, unknown> = { bench: 'train', date: new Date().toISOString(), adapter: adapterRecord(rt), layers, seq, minLength, params: nParams, fp16, attention: attentionPath };

// Training.
model.train();
const x = inputs(batch, 7);
const xGpu = { inputIds: x.inputIds, attentionMask: x.attentionMask, labels: x.labels }; // forward() takes no other keys
const stepMs: number[] = [];
let readbacksInSteps = 0;
let dispatchesPerStep = 0;
let peakBytes = 0;
for (let s = 0; s < steps; s++) {
  await rt.sync();
  const rb0 = rt.readbackCount;
  const d0 = rt.dispatchCount;
  const t0 = performance.now();
  trainStep(xGpu);
  readbacksInSteps += rt.readbackCount - rb0;
  dispatchesPerStep = rt.dispatchCount - d0;
  await rt.sync();
  stepMs.push(performance.now() - t0);
  const mem = rt.memory(); // pooled buffers and the matmul operands' pooled texture views
  peakBytes = Math.max(peakBytes, mem.bytesAllocated + mem.textureBytes);
  console.log(`  step ${s}: ${stepMs[s].toFixed(0)} ms${s === 0 ? ' (warm-up: pipeline compilation)' : ''}`);
}
const timed = stepMs.length > 1 ? stepMs.slice(1) : stepMs;
const trainMs = [...timed].sort((a, b) => a - b)[Math.floor(timed.length / 2)];
const trainFlops = 3 * forwardFlops(batch);
const train = {
  batch, seq, msPerStep: trainMs, examplesPerSec: (1000 * batch) / trainMs, gflops: trainFlops / (trainMs * 1e6),
  gpuBytesAllocated: peakBytes, dispatchesPerStep, readbacksInSteps, steps,
};
result.train = train;
console.log(`train ${batch}×${seq}: ${fmt(trainMs)} ms/step, ${fmt(train.examplesPerSec)} examples/s, ${fmt(train.gflops)} GFLOP/s, ` +
  `GPU memory ${(peakBytes / 2 ** 20).toFixed(0)} MiB, ${dispatchesPerStep} dispatches/step, readbacks inside steps: ${readbacksInSteps}`);
if (readbacksInSteps !== 0) console.log('  WARNING: a training step read data back from the GPU');

// The same step from host inputs (as the Trainer passes them): the padding is skipped (src/models/distilbert/
// packing.ts: same loss and gradients from the real tokens only). First step warms the new shapes' pipelines.
{
  const hostInputs = { ...x.host, labels: x.labels };
  const ms: number[] = [];
  for (let s = 0; s <= Math.max(1, steps - 1); s++) {
    await rt.sync();
    const t0 = performance.now();
    trainStep(hostInputs);
    await rt.sync();
    ms.push(performance.now() - t0);
  }
  const best = Math.min(...ms.slice(1));
  const maskData = (x.host.attentionMask as { data: Int32Array }).data;
  const realTokens = maskData.reduce((a, v) => a + v, 0) / maskData.length;
  (train as Record<string, unknown>).paddingSkipped = { msPerStep: best, examplesPerSec: (1000 * batch) / best, allMs: ms, realTokenFraction: realTokens };
  console.log(`train ${batch}×${seq}, padding skipped (${(100 * realTokens).toFixed(0)}% of the tokens are real): ${fmt(best)} ms/step, ${fmt((1000 * batch) / best)} examples/s`);
}

/** GPU time per kernel name over one run of `work` (timestamps per dispatch, each in its own pass while profiling). */
async function kernelBreakdown(label: string, work: () => void): Promise<Record<string, unknown>> {
  const { ms, kernels } = await timer.time(work);
  const byName = new Map<string, { ms: number; count: number }>();
  for (const k of kernels) {
    const e = byName.get(k.name) ?? { ms: 0, count: 0 };
    e.ms += k.ms;
    e.count++;
    byName.set(k.name, e);
  }
  const top = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms);
  console.log(`\nkernel breakdown of ${label} (${timer.mode}, sum ${fmt(ms)} ms):`);
  console.log(table(['kernel', 'ms', '% total', 'calls'], top.slice(0, 10).map(([n, e]) => [n, e.ms, (100 * e.ms) / ms, e.count])));
  return { timer: timer.mode, gpuMs: ms, kernels: top.map(([name, e]) => ({ name, ...e })) };
}

if (profile) result.kernelBreakdown = await kernelBreakdown('one training step', () => trainStep(xGpu));
x.inputIds.dispose();
x.attentionMask.dispose();
x.labels.dispose();
opt.dispose();

// Inference.
model.eval();
const infer: Record<string, unknown>[] = [];
for (const b of inferBatches) {
  const xi = inputs(b, 11);
  // Padded (GPU inputs: every token computed) and the default for host inputs, which skips the padding
  // (src/models/distilbert/packing.ts: the same logits from the real tokens only).
  const timeForward = async (x: wt.ClassifierInputs): Promise<number[]> => {
    const times: number[] = [];
    for (let r = 0; r < (rt.info.isSoftware ? (b * seq <= 1024 ? 5 : 2) : 10); r++) {
      await rt.sync();
      const t0 = performance.now();
      wt.noGrad(() => wt.tidy(() => { model.forward(x); return undefined; }));
      await rt.sync();
      times.push(performance.now() - t0);
    }
    return times;
  };
  const times = await timeForward({ inputIds: xi.inputIds, attentionMask: xi.attentionMask });
  const skipTimes = await timeForward(xi.host);
  const ms = Math.min(...times.slice(1));
  const skipMs = Math.min(...skipTimes.slice(1));
  const examplesPerSec = (1000 * b) / ms;
  const gflops = forwardFlops(b) / (ms * 1e6);
  const row: Record<string, unknown> = { batch: b, seq, ms, examplesPerSec, gflops, allMs: times, paddingSkipped: { ms: skipMs, examplesPerSec: (1000 * b) / skipMs, allMs: skipTimes } };
  if (profile && b === Math.max(...inferBatches)) {
    row.kernelBreakdown = await kernelBreakdown(`one forward at ${b}×${seq}`, () =>
      wt.noGrad(() => wt.tidy(() => { model.forward({ inputIds: xi.inputIds, attentionMask: xi.attentionMask }); return undefined; })));
    (row.paddingSkipped as Record<string, unknown>).kernelBreakdown = await kernelBreakdown(`one forward at ${b}×${seq}, padding skipped`, () =>
      wt.noGrad(() => wt.tidy(() => { model.forward(xi.host); return undefined; })));
  }
  infer.push(row);
  console.log(`inference ${b}×${seq}: ${fmt(ms)} ms (${fmt(examplesPerSec)} examples/s, ${fmt(gflops)} GFLOP/s); padding skipped: ${fmt(skipMs)} ms (${fmt((1000 * b) / skipMs)} examples/s)`);
  xi.inputIds.dispose();
  xi.attentionMask.dispose();
  xi.labels.dispose();
}
result.inference = infer;
const path = writeResults(args.out, `${adapterSlug(rt)}.train.json`, result);
console.log(`wrote ${path}`);
timer.destroy();
wt.shutdown();
