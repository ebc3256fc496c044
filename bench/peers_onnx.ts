// npm run bench:peers:onnx: the DistilBERT-base sequence-classification forward at 32 × 128 through
// onnxruntime-web's WebGPU execution provider on our Dawn adapter (same process, navigator.gpu = our Dawn GPU
// object), against ours. The ONNX model is written by the library's exporter (src/export, the same graph
// `node dist/export.js` writes) from our model's own random weights (seed fixed), so both run the same network. Before timing, a small config is run
// through both and the logits compared (validation); the base-size logits are compared too.
// Both are timed as wall time of one forward including the logits readback (ORT: `await session.run()`, inputs
// uploaded from the host; ours: forward + logits.data(), inputs already on the GPU). A round runs ours padded, ours
// with the padding skipped and ORT back to back (1 warm-up round, then --runs), so a change in the host's speed hits
// all three alike; times are medians and the speed-ups medians of the per-round ratios.
// Ours runs twice: padded (GPU inputs: the same work as ORT's graph) and from host inputs, where inference skips
// the padding (packing.ts: the same logits from fewer FLOPs); both ratios are reported.
// Usage: node dist/bench/peers_onnx.js [--batch 32] [--seq 128] [--layers 6] [--runs 2] [--ep webgpu|wasm]
//        [--no-validate] [--skip-base] [--out DIR] [--native-wait]
// Every Dawn promise of the process waits through throttledWait (bench/lib/peer_wait.ts), so neither side loses a
// core to Dawn's busy loop; --native-wait leaves ORT waiting Dawn's own way.
import * as wt from '../src/index.js';
import { nodeGPUObject } from '../src/runtime/node_gpu.js';
import { loadOrt, patchWriteBufferForSharedMemory, writeBufferStats, type Ort } from './onnx/ort_node.js';
import { throttleAllDawnWaits } from './lib/peer_wait.js';
import {
  adapterSlug,
  fmt,
  fmtSpread,
  intArg,
  loadAutotuneCache,
  parseArgs,
  spread,
  startRuntime,
  writeResults,
} from './lib/common.js';

const args = parseArgs();
const batch = intArg(args, 'batch', 32, 1);
const seq = intArg(args, 'seq', 128, 1);
const layers = intArg(args, 'layers', 6, 1);
const runs = intArg(args, 'runs', 2, 2, 'timed rounds after the warm-up: a spread needs at least 2');
const ep = (args.rest.get('ep') ?? 'webgpu') as 'webgpu' | 'wasm';
const validate = !args.rest.has('no-validate');

const rt = await startRuntime();
await loadAutotuneCache();
const gpu = nodeGPUObject();
if (!gpu) throw new Error('no Dawn GPU object');
patchWriteBufferForSharedMemory(rt.device.queue);
const nativeWait = args.rest.has('native-wait');
if (!nativeWait) throttleAllDawnWaits(rt.device);
const { ort, version: ortVersion } = await loadOrt(gpu, ep);
console.log(
  `adapter: ${rt.info.description}; onnxruntime-web ${ortVersion} (${ep} EP); DistilBERT ${layers} layers, ${batch}×${seq}, 1 warm-up + ${runs} runs; Dawn waits: ${nativeWait ? "Dawn's own (ORT spins)" : 'throttled for both'}`,
);

function makeInputs(b: number, t: number, vocab: number, seed: number): { ids: Int32Array; mask: Int32Array } {
  const rand = wt.seededRandom(seed);
  const ids = new Int32Array(b * t);
  const mask = new Int32Array(b * t);
  for (let i = 0; i < b; i++) {
    const len = Math.max(Math.min(8, t), Math.round(t * (0.6 + 0.4 * rand())));
    for (let j = 0; j < t; j++) {
      ids[i * t + j] = j < len ? (j === 0 ? Math.min(101, vocab - 1) : 1 + Math.floor(rand() * (vocab - 1))) : 0;
      mask[i * t + j] = j < len ? 1 : 0;
    }
  }
  return { ids, mask };
}

async function ortSession(o: Ort, bytes: Uint8Array): Promise<import('onnxruntime-web').InferenceSession> {
  return o.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'all' });
}

async function ortRun(
  o: Ort,
  s: import('onnxruntime-web').InferenceSession,
  ids: Int32Array,
  mask: Int32Array,
  b: number,
  t: number,
): Promise<Float32Array> {
  const feeds = {
    input_ids: new o.Tensor(
      'int64',
      BigInt64Array.from(ids, (v) => BigInt(v)),
      [b, t],
    ),
    attention_mask: new o.Tensor(
      'int64',
      BigInt64Array.from(mask, (v) => BigInt(v)),
      [b, t],
    ),
  };
  const out = await s.run(feeds);
  const logits = out.logits;
  const data = (logits.location === 'cpu' ? logits.data : await logits.getData()) as Float32Array;
  return Float32Array.from(data);
}

/**
 * Our forward. GPU tensors: the padded forward, the same work as ORT's graph. Host arrays: the default inference
 * path, which skips the padding (src/models/common/packing.ts; the same logits, fewer FLOPs).
 */
async function oursRun(
  model: wt.DistilBertForSequenceClassification,
  ids: wt.IntMatrixInput,
  mask: wt.IntMatrixInput,
): Promise<Float32Array> {
  const logits = wt.noGrad(() => wt.tidy(() => model.forward({ inputIds: ids, attentionMask: mask }).logits));
  const data = (await logits.data()) as Float32Array;
  logits.dispose();
  return Float32Array.from(data);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const result: Record<string, unknown> = {
  bench: 'peers_onnx',
  onnxruntimeWeb: ortVersion,
  executionProvider: ep,
  dawnWaits: nativeWait ? 'native (peer spins)' : 'throttled for both',
  note: 'shared 2-core machine: other processes run concurrently, so wall times are noisy',
};

// 1. Validation on a small config, every parameter (biases and LayerNorm included) set to seeded random values.
if (validate) {
  const cfg = new wt.DistilBertConfig({
    dim: 64,
    n_layers: 2,
    n_heads: 4,
    hidden_dim: 256,
    vocab_size: 1000,
    max_position_embeddings: 64,
    num_labels: 3,
  });
  const model = wt.DistilBertForSequenceClassification.fromConfig(cfg, { seed: 5 });
  model.eval();
  model.namedParameters().forEach(([, p], i) => rt.upload(p.buffer, wt.normalArray(p.size, 1000 + i, 0, 0.2)));
  const vb = 3;
  const vt = 16;
  const { ids, mask } = makeInputs(vb, vt, cfg.vocab_size, 3);
  const idsT = wt.tensor(ids, [vb, vt], 'i32').keep();
  const maskT = wt.tensor(mask, [vb, vt], 'i32').keep();
  const ours = await oursRun(model, idsT, maskT);
  const session = await ortSession(ort, await wt.modelToOnnx(model));
  const theirs = await ortRun(ort, session, ids, mask, vb, vt);
  await session.release();
  const err = maxAbsDiff(ours, theirs);
  const scaleAbs = Math.max(...ours.map(Math.abs));
  console.log(
    `validation (dim 64, 2 layers, ${vb}×${vt}, random biases/LayerNorm): max |ours − ORT| = ${err.toExponential(2)} (max |logit| ${fmt(scaleAbs)})`,
  );
  result.validation = {
    config: 'dim 64, 2 layers, 4 heads, hidden 256, vocab 1000',
    batch: vb,
    seq: vt,
    maxAbsDiff: err,
    maxAbsLogit: scaleAbs,
    ours: [...ours],
    ort: [...theirs],
  };
  idsT.dispose();
  maskT.dispose();
  model.dispose();
  if (!(err < 1e-3)) throw new Error(`validation failed: max abs diff ${err}`);
}

// 2. DistilBERT-base at batch × seq.
if (!args.rest.has('skip-base')) {
  const cfg = new wt.DistilBertConfig({ n_layers: layers, num_labels: 2 });
  const model = wt.DistilBertForSequenceClassification.fromConfig(cfg, { seed: 1 });
  model.eval();
  const t0 = performance.now();
  const bytes = await wt.modelToOnnx(model);
  const exportMs = performance.now() - t0;
  console.log(`exported ONNX: ${(bytes.length / 2 ** 20).toFixed(0)} MiB in ${fmt(exportMs)} ms`);
  const { ids, mask } = makeInputs(batch, seq, cfg.vocab_size, 11);
  const idsT = wt.tensor(ids, [batch, seq], 'i32').keep();
  const maskT = wt.tensor(mask, [batch, seq], 'i32').keep();

  const c0 = performance.now();
  const session = await ortSession(ort, bytes);
  const createMs = performance.now() - c0;
  console.log(`  ORT session created in ${fmt(createMs)} ms`);
  const shape = [batch, seq];
  const oursMs: number[] = [];
  const skipMs: number[] = [];
  const ortMs: number[] = [];
  let oursLogits: Float32Array = new Float32Array();
  let skipLogits: Float32Array = new Float32Array();
  let ortLogits: Float32Array = new Float32Array();
  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    await rt.sync();
    const s0 = performance.now();
    const out = await fn();
    return [out, performance.now() - s0];
  };
  for (let r = 0; r <= runs; r++) {
    let ms: number;
    [oursLogits, ms] = await timed(() => oursRun(model, idsT, maskT));
    oursMs.push(ms);
    [skipLogits, ms] = await timed(() => oursRun(model, { data: ids, shape }, { data: mask, shape }));
    skipMs.push(ms);
    [ortLogits, ms] = await timed(() => ortRun(ort, session, ids, mask, batch, seq));
    ortMs.push(ms);
    console.log(
      `  round ${r}${r === 0 ? ' (warm-up)' : ''}: ours padded ${fmt(oursMs[r])} ms, ours padding skipped ${fmt(skipMs[r])} ms, ORT ${fmt(ortMs[r])} ms`,
    );
  }
  model.dispose();
  idsT.dispose();
  maskT.dispose();
  await session.release();
  // Round 0 is the warm-up (compilation, ORT's session warm-up): reported apart, never in a statistic.
  const [oursS, skipS, ortS] = [oursMs, skipMs, ortMs].map((v) => spread(v.slice(1)));
  const ratiosS = spread(ortMs.slice(1).map((o, i) => o / oursMs[i + 1]));
  const skipRatiosS = spread(ortMs.slice(1).map((o, i) => o / skipMs[i + 1]));
  const [oursMed, skipMed, ortMed, speedup, skipSpeedup] = [oursS, skipS, ortS, ratiosS, skipRatiosS].map(
    (r) => r.medianMs,
  );
  const diff = maxAbsDiff(oursLogits, ortLogits);
  const skipDiff = maxAbsDiff(skipLogits, ortLogits);
  const kept = mask.reduce((s, v) => s + v, 0) / mask.length;
  const label = ep === 'webgpu' ? 'onnxruntime-web WebGPU EP' : 'onnxruntime-web wasm EP (CPU, NOT WebGPU)';
  console.log(`\n${rt.info.description}: DistilBERT-base forward ${batch}×${seq} (${layers} layers)`);
  const range = (r: { minMs: number; maxMs: number }): string => `${fmt(r.minMs)}–${fmt(r.maxMs)}`;
  console.log(
    `  ours ${fmtSpread(oursS)}, ${label} ${fmtSpread(ortS)}: ours is ${fmt(speedup)}× faster ` +
      `(median of per-round ratios, ${range(ratiosS)}); max |Δlogit| ${diff.toExponential(2)}`,
  );
  console.log(
    `  ours with the padding skipped (default for host inputs; ${(100 * kept).toFixed(0)}% of the tokens are real): ` +
      `${fmtSpread(skipS)}, ${fmt(skipSpeedup)}× faster (${range(skipRatiosS)}); max |Δlogit| ${skipDiff.toExponential(2)}`,
  );
  result.base = {
    batch,
    seq,
    layers,
    runs,
    oursMs: oursMed,
    ortMs: ortMed,
    speedup,
    oursAllMs: oursMs,
    ortAllMs: ortMs,
    warmupMs: { ours: oursMs[0], oursPaddingSkipped: skipMs[0], ort: ortMs[0] },
    ours: oursS,
    ort: ortS,
    speedupRange: [ratiosS.minMs, ratiosS.maxMs],
    paddingSkipped: {
      oursMs: skipMed,
      speedup: skipSpeedup,
      allMs: skipMs,
      spread: skipS,
      speedupRange: [skipRatiosS.minMs, skipRatiosS.maxMs],
      maxAbsLogitDiff: skipDiff,
      realTokenFraction: kept,
    },
    ortSessionCreateMs: createMs,
    onnxBytes: bytes.length,
    maxAbsLogitDiff: diff,
    label,
  };
}

result.writeBuffer = {
  ...writeBufferStats,
  note: 'queue.writeBuffer calls (both libraries) whose data was SharedArrayBuffer-backed and copied, vs passed through',
};
const ortAdapter = (ort.env.webgpu as { adapter?: GPUAdapter }).adapter;
if (ortAdapter?.info)
  result.ortAdapter = {
    vendor: ortAdapter.info.vendor,
    architecture: ortAdapter.info.architecture,
    device: ortAdapter.info.device,
    description: ortAdapter.info.description,
  };
console.log(
  `writeBuffer: ${writeBufferStats.copied} SharedArrayBuffer uploads copied, ${writeBufferStats.direct} direct; ORT adapter: ${ortAdapter?.info ? ortAdapter.info.description || ortAdapter.info.architecture : 'not exposed by ORT (it requested one from the same navigator.gpu)'}`,
);
const path = writeResults(rt, args.out, `${adapterSlug(rt)}.peers_onnx.json`, result);
console.log(`wrote ${path}`);
wt.shutdown();
process.exit(0);
