// npm run bench:train: the DistilBERT-base training step (forward + backward + clip + AdamW) at batch 8 × 128 (a
// software adapter) or 16 × 128 and 16 × 512 (a GPU: the and the tutorial's shapes; --batch / --seq pick one)
// and inference at batch 1 and 32 × the length: ms per step, examples/s, achieved GFLOP/s, GPU memory, the ten most expensive
// kernels (GPU timestamps per dispatch, clears and copies included, over one profiled step), and a readback counter
// proving that a step reads nothing back. Every time is a statistic of --steps samples (median, min, max) taken after
// a warm-up (pipeline compilation), which is reported apart; the padded path and the padding-skipped one alternate
// round by round, so a change in the host's speed hits both alike.
// Each shape also projects the tutorial's wall time (2 epochs of 25,000 IMDb reviews, batch 16, ≤ 512 tokens, padding
// skipped) from its padding-skipped step (bench/lib/tutorial.ts says how).
// Writes <out>/<adapter>.train-<batch>x<seq>[-<L>layers][-fp16][-notune][-<attention>][-imdb].json.
// Usage: node dist/bench/train.js [--batch 8] [--seq 128] [--min-length 0.6 | --lengths imdb] [--steps 5]
//        [--infer 1,32] [--infer-runs 5] [--layers 6] [--out DIR] [--no-profile] [--no-tune]
//        [--attention auto|fused|unfused] [--fp16]
// --steps: timed training steps after the warm-up, each way (≥ 2; default 5, 10 on a GPU); --infer-runs likewise for
// each inference batch. --lengths imdb: row lengths drawn from the IMDb token counts (truncated at --seq) instead of
// uniform in [min-length, 1]·seq. --fp16: mixed precision as TrainingArguments.fp16 (autocast products in f16,
// GradScaler, AdamW stepped on the GPU; needs shader-f16).
import * as wt from '../src/index.js';
import {
  adapterSlug,
  fmt,
  fmtSpread,
  GpuTimer,
  intArg,
  isCommand,
  loadAutotuneCache,
  parseArgs,
  saveAutotuneCache,
  spread,
  startRuntime,
  table,
  usageError,
  writeResults,
  type Spread,
} from './lib/common.js';
import { autotuneMatmulOp } from '../src/ops/matmul_autotune.js';
import { dims, kernelCases } from './lib/kernel_cases.js';
import { imdbTrainLengths, projectMs, tutorialBatches } from './lib/tutorial.js';
import { MixedPrecision } from '../src/train/mixed_precision.js';
import { LrScheduler } from '../src/train/schedule.js';

/** The IMDb training reviews' token counts (bench/data: the tutorial's tokenization, truncated at 512). */
const IMDB_LENGTHS = imdbTrainLengths();

// Flags are checked before the GPU starts: a bad value costs nothing.
const args = parseArgs();
const batchArg = intArg(args, 'batch', 0, 1);
const seqArg = intArg(args, 'seq', 0, 1);
const layers = intArg(args, 'layers', 6, 1);
const stepsArg = intArg(args, 'steps', 0, 2, 'timed steps after the warm-up: a median and a spread need at least 2');
const inferRunsArg = intArg(args, 'infer-runs', 0, 2, 'timed forwards after the warm-up');
// Sequence lengths are uniform in [min-length, 1] · seq (0.6: 80% of the tokens real; IMDb batches of 16 padded to
// their longest review, truncated at 512, have 54% real tokens: --seq 512 --min-length 0.1 is close to that).
const minLength = Number(args.rest.get('min-length') ?? 0.6);
if (!(minLength > 0 && minLength <= 1))
  usageError(`--min-length must be in (0, 1], got "${args.rest.get('min-length')}"`);
const inferBatches = (args.rest.get('infer') ?? '1,32').split(',').map(Number); // --infer 0: none
if (inferBatches.some((b) => !Number.isInteger(b) || b < 0)) {
  usageError(`--infer must be batch sizes separated by commas (0: none), got "${args.rest.get('infer')}"`);
}
const attentionFlag = args.rest.get('attention') ?? 'auto';
if (!['auto', 'fused', 'unfused'].includes(attentionFlag))
  usageError(`--attention must be auto, fused or unfused, got "${attentionFlag}"`);
const imdbLengths = args.rest.get('lengths') === 'imdb';
if (args.rest.has('lengths') && !imdbLengths) usageError(`--lengths must be imdb, got "${args.rest.get('lengths')}"`);
const profile = !args.rest.has('no-profile');
const fp16 = args.rest.has('fp16');
const tune = !args.rest.has('no-tune');

const rt = await startRuntime();
const steps = stepsArg || (rt.info.isSoftware ? 5 : 10);
const inferRuns = inferRunsArg || (rt.info.isSoftware ? 5 : 10);
if (args.rest.has('attention')) wt.configure({ attentionKernel: attentionFlag as wt.AttentionKernel });
const timer = new GpuTimer(rt, args.timer);
// Software adapters: 8 × 128 (a 16 × 512 step takes minutes there); GPUs: the 16 × 128 and the tutorial's
// 16 × 512. --batch / --seq run one shape.
const shapes: [number, number][] =
  batchArg || seqArg
    ? [[batchArg || 8, seqArg || 128]]
    : rt.info.isSoftware
      ? [[8, 128]]
      : [
          [16, 128],
          [16, 512],
        ];
for (const [batch, seq] of shapes) await benchShape(batch, seq);

/** Everything for one training shape: tuning, training steps, the tutorial projection, inference, its results file. */
async function benchShape(batch: number, seq: number): Promise<void> {
  if (tune) {
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
  const inferShapes = inferBatches
    .filter((b) => b > 0)
    .map((b) => `${b}×${seq}`)
    .join(', ');
  console.log(
    `adapter: ${rt.info.description}; DistilBERT-base (${layers} layers)${fp16 ? ', mixed precision (fp16)' : ''}, ` +
      `train ${batch}×${seq}, warm-up + ${steps} timed steps each way; attention kernels: ${attentionPath}; ` +
      `inference ${inferShapes}, warm-up + ${inferRuns} runs each way`,
  );

  const config = new wt.DistilBertConfig({ n_layers: layers, num_labels: 2 });
  const model = wt.DistilBertForSequenceClassification.fromConfig(config, { seed: 1 });
  const params = model.parameters();
  const nParams = params.reduce((s, p) => s + p.size, 0);
  if (fp16) model.setMatmulDtype('f16');
  const opt = new wt.AdamW(model.optimizerGroups(0.01), { lr: 2e-5 });
  // --fp16: the Trainer's mixed precision (autocast, GradScaler, AdamW stepped on the GPU over a constant schedule).
  const amp = fp16 ? new MixedPrecision() : undefined;
  amp?.schedule(opt, new LrScheduler('constant', 2e-5, 0, 100_000), 100_000);

  function inputs(
    b: number,
    seed: number,
  ): {
    inputIds: wt.Tensor;
    attentionMask: wt.Tensor;
    labels: wt.Tensor;
    host: { inputIds: wt.IntMatrixInput; attentionMask: wt.IntMatrixInput };
  } {
    const rand = wt.seededRandom(seed);
    const ids = new Int32Array(b * seq);
    const mask = new Int32Array(b * seq);
    for (let i = 0; i < b; i++) {
      const len = imdbLengths
        ? Math.min(seq, IMDB_LENGTHS[Math.floor(rand() * IMDB_LENGTHS.length)]!)
        : Math.max(8, Math.round(seq * (minLength + (1 - minLength) * rand())));
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
      const out = amp ? amp.autocast(() => model.forward(x)) : model.forward(x);
      if (amp) amp.backward(out.loss!);
      else wt.backward(out.loss!);
      // Clipping fused into AdamW: the coefficient (element 1 of gradNorm's result) is read by the AdamW kernel on the
      // GPU, so the gradients are read once by the norm and once by the update (no in-place scaling pass).
      const grads = params.flatMap((p) => (p.grad ? [p.grad] : []));
      if (amp) amp.step(opt, grads, (gs) => wt.gradNorm(gs, 1.0));
      else opt.stepWith(2e-5, wt.gradNorm(grads, 1.0));
      opt.zeroGrad();
      return undefined;
    });
  }

  const result: Record<string, unknown> = {
    bench: 'train',
    layers,
    seq,
    minLength,
    lengths: imdbLengths ? 'imdb' : 'uniform',
    params: nParams,
    fp16,
    attention: attentionPath,
    steps,
    inferRuns,
  };

  /** A warm-up sample (reported apart, labelled) and the timed ones' spread. */
  interface Timed extends Spread {
    warmupMs: number;
  }

  /**
   * Times `work` (one training step or forward, on each of `paths`) by wall clock from an idle queue to its completion:
   * one warm-up per path (pipeline compilation), then `rounds` rounds running every path once, back to back.
   */
  async function timeRounds(
    paths: (() => void)[],
    rounds: number,
    label: (path: number, round: number, ms: number) => void,
  ): Promise<Timed[]> {
    const samples = paths.map(() => [] as number[]);
    const warmups: number[] = [];
    for (let r = -1; r < rounds; r++) {
      for (const [i, work] of paths.entries()) {
        await rt.sync();
        const t0 = performance.now();
        work();
        await rt.sync();
        const ms = performance.now() - t0;
        (r < 0 ? warmups : samples[i]).push(ms);
        label(i, r, ms);
      }
    }
    return samples.map((v, i) => ({ warmupMs: warmups[i], ...spread(v) }));
  }

  // Training: padded (GPU inputs: every token computed) and from host inputs, as the Trainer passes them, where the
  // padding is skipped (src/models/common/packing.ts: the same loss and gradients from the real tokens only).
  model.train();
  const x = inputs(batch, 7);
  const xGpu = { inputIds: x.inputIds, attentionMask: x.attentionMask, labels: x.labels }; // forward() takes no other keys
  const hostInputs = { ...x.host, labels: x.labels };
  const maskData = (x.host.attentionMask as { data: Int32Array }).data;
  const realTokens = maskData.reduce((a, v) => a + v, 0) / maskData.length;
  let readbacksInSteps = 0;
  let dispatchesPerStep = 0;
  let peakBytes = 0;
  /** A training step, counting its readbacks (must stay 0) and dispatches, and the peak of GPU memory after it. */
  const countedStep = (inputs: wt.ClassifierInputs) => (): void => {
    const [rb0, d0] = [rt.readbackCount, rt.dispatchCount];
    trainStep(inputs);
    readbacksInSteps += rt.readbackCount - rb0;
    if (inputs === xGpu) dispatchesPerStep = rt.dispatchCount - d0;
    const mem = rt.memory(); // pooled buffers and the matmul operands' pooled texture views
    peakBytes = Math.max(peakBytes, mem.bytesAllocated + mem.textureBytes);
  };
  const stepNames = ['padded', 'padding skipped'];
  const stepLabel = (r: number): string =>
    r < 0 ? 'warm-up step (pipeline compilation; not in the statistics)' : `step ${r + 1}`;
  const [paddedSteps, skippedSteps] = await timeRounds(
    [countedStep(xGpu), countedStep(hostInputs)],
    steps,
    (i, r, ms) => console.log(`  ${stepLabel(r)}, ${stepNames[i]}: ${fmt(ms)} ms`),
  );
  const trainFlops = 3 * forwardFlops(batch);
  const perStep = (t: Timed) => ({
    warmupMs: t.warmupMs,
    msPerStep: t.medianMs,
    minMs: t.minMs,
    maxMs: t.maxMs,
    allMs: t.samplesMs,
    examplesPerSec: (1000 * batch) / t.medianMs,
  });
  const train = {
    batch,
    seq,
    steps,
    ...perStep(paddedSteps),
    gflops: trainFlops / (paddedSteps.medianMs * 1e6),
    gpuBytesAllocated: peakBytes,
    dispatchesPerStep,
    readbacksInSteps,
    paddingSkipped: { ...perStep(skippedSteps), realTokenFraction: realTokens },
  };
  result.train = train;
  console.log(
    `train ${batch}×${seq}: ${fmtSpread(paddedSteps)} per step (warm-up ${fmt(paddedSteps.warmupMs)} ms apart), ` +
      `${fmt(train.examplesPerSec)} examples/s, ${fmt(train.gflops)} GFLOP/s, GPU memory ${(peakBytes / 2 ** 20).toFixed(0)} MiB, ` +
      `${dispatchesPerStep} dispatches/step, readbacks inside steps: ${readbacksInSteps}`,
  );
  console.log(
    `train ${batch}×${seq}, padding skipped (${(100 * realTokens).toFixed(0)}% of the tokens are real): ` +
      `${fmtSpread(skippedSteps)} per step (warm-up ${fmt(skippedSteps.warmupMs)} ms apart), ` +
      `${fmt(train.paddingSkipped.examplesPerSec)} examples/s`,
  );
  if (readbacksInSteps !== 0) console.log('  WARNING: a training step read data back from the GPU');
  result.tutorialProjection = tutorialProjection(maskData, batch, seq, skippedSteps.medianMs);

  /** GPU time per kernel name over one run of `work` (timestamps per dispatch and per clear / copy while profiling). */
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
    const commandMs = kernels.filter(isCommand).reduce((a, k) => a + k.ms, 0);
    console.log(
      `\nkernel breakdown of ${label} (${timer.mode}, sum ${fmt(ms)} ms, of which clears/copies ${fmt(commandMs)} ms):`,
    );
    console.log(
      table(
        ['kernel', 'ms', '% total', 'calls'],
        top.slice(0, 10).map(([n, e]) => [n, e.ms, (100 * e.ms) / ms, e.count]),
      ),
    );
    return { timer: timer.mode, gpuMs: ms, commandMs, kernels: top.map(([name, e]) => ({ name, ...e })) };
  }

  if (profile) result.kernelBreakdown = await kernelBreakdown('one training step', () => trainStep(xGpu));
  x.inputIds.dispose();
  x.attentionMask.dispose();
  x.labels.dispose();
  opt.dispose();

  // Inference, padded (GPU inputs) and the default for host inputs, which skips the padding (the same logits).
  model.eval();
  const infer: Record<string, unknown>[] = [];
  for (const b of inferBatches.filter((v) => v > 0)) {
    const xi = inputs(b, 11);
    const gpuInputs = { inputIds: xi.inputIds, attentionMask: xi.attentionMask };
    const forward = (inputs: wt.ClassifierInputs) => (): void =>
      wt.noGrad(() =>
        wt.tidy(() => {
          model.forward(inputs);
          return undefined;
        }),
      );
    const [padded, skipped] = await timeRounds([forward(gpuInputs), forward(xi.host)], inferRuns, () => {});
    const gflops = forwardFlops(b) / (padded.medianMs * 1e6);
    const perForward = (t: Timed) => ({
      warmupMs: t.warmupMs,
      ms: t.medianMs,
      minMs: t.minMs,
      maxMs: t.maxMs,
      allMs: t.samplesMs,
      examplesPerSec: (1000 * b) / t.medianMs,
    });
    const row: Record<string, unknown> = {
      batch: b,
      seq,
      runs: inferRuns,
      ...perForward(padded),
      gflops,
      paddingSkipped: perForward(skipped),
    };
    if (profile && b === Math.max(...inferBatches)) {
      row.kernelBreakdown = await kernelBreakdown(`one forward at ${b}×${seq}`, forward(gpuInputs));
      const skippedRow = row.paddingSkipped as Record<string, unknown>;
      skippedRow.kernelBreakdown = await kernelBreakdown(
        `one forward at ${b}×${seq}, padding skipped`,
        forward(xi.host),
      );
    }
    infer.push(row);
    console.log(
      `inference ${b}×${seq}: ${fmtSpread(padded)} (warm-up ${fmt(padded.warmupMs)} ms apart; ` +
        `${fmt((1000 * b) / padded.medianMs)} examples/s, ` +
        `${fmt(gflops)} GFLOP/s); padding skipped: ${fmtSpread(skipped)} (${fmt((1000 * b) / skipped.medianMs)} examples/s)`,
    );
    xi.inputIds.dispose();
    xi.attentionMask.dispose();
    xi.labels.dispose();
  }
  result.inference = infer;
  const variant = [
    layers !== 6 ? `-${layers}layers` : '',
    fp16 ? '-fp16' : '',
    tune ? '' : '-notune',
    attentionFlag !== 'auto' ? `-${attentionFlag}` : '',
    imdbLengths ? '-imdb' : '',
  ].join('');
  const path = writeResults(rt, args.out, `${adapterSlug(rt)}.train-${batch}x${seq}${variant}.json`, result);
  console.log(`wrote ${path}`);
  amp?.dispose();
  model.dispose();
}

/**
 * The tutorial's training wall time projected from this shape's padding-skipped step (bench/lib/tutorial.ts): its
 * batches' FLOPs against the measured batch's (`mask`: its [batch, seq] attention mask).
 */
function tutorialProjection(mask: Int32Array, batch: number, seq: number, skippedMs: number): Record<string, unknown> {
  const rows = Array.from({ length: batch }, (_, i) =>
    mask.subarray(i * seq, (i + 1) * seq).reduce((a, v) => a + v, 0),
  );
  const measured = { real: rows.reduce((a, b) => a + b, 0), longest: Math.max(...rows), rows: batch };
  const batches = tutorialBatches(IMDB_LENGTHS);
  const ms = projectMs(batches, measured, skippedMs);
  console.log(
    `tutorial projection (2 epochs × 25,000 IMDb reviews, batch 16, ≤ 512 tokens, padding skipped; ` +
      `${batches.length} steps, training only): ${(ms / 60_000).toFixed(1)} min from this shape's ${fmt(skippedMs)} ms step ` +
      '(scaled by FLOPs: bench/lib/tutorial.ts)',
  );
  return {
    minutes: ms / 60_000,
    steps: batches.length,
    fromShape: `${batch}x${seq}`,
    measuredBatch: measured,
    fromMs: skippedMs,
    method: 'sum over the tutorial batches of the measured padding-skipped step × (batch FLOPs / measured batch FLOPs)',
  };
}

timer.destroy();
wt.shutdown();
