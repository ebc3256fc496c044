// npm run bench:peers: the kernel shapes of `npm run bench` (matmul, softmax, GELU, LayerNorm) through
// @tensorflow/tfjs-backend-webgpu on the same Dawn adapter in the same process, side by side with ours, with the
// ratio. Both are timed the same way: wall time from an idle queue to onSubmittedWorkDone after the op. Samples
// alternate (ours, tfjs, ours, …) after one warm-up each, so a change in the host's speed hits both alike; times
// are medians of N (with min and max) and the speed-up is the median of the N paired ratios (with their range).
// tfjs's GELU and LayerNorm are composed from its ops (it has no fused kernels for them).
// onnxruntime-web's DistilBERT forward is compared separately, by bench/peers_onnx.ts (`npm run bench:peers:onnx`).
// Every Dawn promise of the process waits through throttledWait (bench/lib/peer_wait.ts), so neither side loses a
// core to Dawn's busy loop; --native-wait leaves tfjs waiting Dawn's own way.
// Usage: node dist/bench/peers.js [--quick|--full] [--out DIR] [--filter REGEX] [--iterations N] [--native-wait]
import * as wt from '../src/index.js';
import { nodeGPUObject } from '../src/runtime/node_gpu.js';
import {
  adapterSlug,
  fmt,
  fmtSpread,
  loadAutotuneCache,
  parseArgs,
  shapeScale,
  spread,
  startRuntime,
  table,
  writeResults,
  type Spread,
} from './lib/common.js';
import { dims } from './lib/kernel_cases.js';
import { throttleAllDawnWaits } from './lib/peer_wait.js';

const args = parseArgs();
const rt = await startRuntime();
await loadAutotuneCache();
const scale = shapeScale(rt, args);
const d = dims(scale);
const iterations = args.iterations || (rt.info.isSoftware ? 5 : 20);
const nativeWait = args.rest.has('native-wait');
if (!nativeWait) throttleAllDawnWaits(rt.device);

// tfjs-backend-webgpu finds WebGPU through navigator.gpu: give it our Dawn GPU object before importing it.
Object.defineProperty(globalThis, 'navigator', { value: { gpu: nodeGPUObject() }, configurable: true, writable: true });
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-webgpu');
await tf.setBackend('webgpu');
await tf.ready();
type TfBackend = {
  device: GPUDevice;
  commandEncoder: GPUCommandEncoder | null;
  endComputePassEncoder(): void;
  submitQueue(): void;
};
const tfBackend = tf.backend() as unknown as TfBackend;
console.log(
  `adapter: ${rt.info.description}; tfjs ${tf.version_core} backend ${tf.getBackend()}; scale ${scale} (tokens ${d.tokens}); ${iterations} samples; Dawn waits: ${nativeWait ? "Dawn's own (tfjs spins)" : 'throttled for both'}`,
);

/** One sample of ours: wall ms from an idle queue until the op's work is done. */
async function sampleOurs(run: () => wt.Tensor[]): Promise<number> {
  await rt.sync();
  const t0 = performance.now();
  const outs = run();
  await rt.sync();
  const ms = performance.now() - t0;
  outs.forEach((o) => o.dispose());
  return ms;
}

/** One sample of tfjs, timed the same way. */
async function sampleTf(run: () => import('@tensorflow/tfjs-core').Tensor): Promise<number> {
  flushTf();
  await tfBackend.device.queue.onSubmittedWorkDone();
  const t0 = performance.now();
  const y = tf.tidy(run);
  flushTf();
  await tfBackend.device.queue.onSubmittedWorkDone();
  const ms = performance.now() - t0;
  y.dispose();
  return ms;
}

/** Warm-up of each, then `iterations` alternating pairs → both spreads and the paired ratios (tfjs / ours). */
async function timePaired(
  ours: () => wt.Tensor[],
  tfjs: () => import('@tensorflow/tfjs-core').Tensor,
): Promise<{ ours: Spread; tf: Spread; ratios: Spread }> {
  await sampleOurs(ours);
  await sampleTf(tfjs);
  const o: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < iterations; i++) {
    o.push(await sampleOurs(ours));
    t.push(await sampleTf(tfjs));
  }
  // The ratios go through spread() as plain numbers: its "ms" fields then hold ratios.
  return { ours: spread(o), tf: spread(t), ratios: spread(t.map((v, i) => v / o[i])) };
}

function flushTf(): void {
  if (!tfBackend.commandEncoder) return;
  tfBackend.endComputePassEncoder();
  tfBackend.submitQueue();
}

interface PeerCase {
  name: string;
  kind: 'matmul' | 'memory';
  work: number;
  shapes: number[][];
  ours(x: wt.Tensor[]): wt.Tensor;
  tfjs(x: import('@tensorflow/tfjs-core').Tensor[]): import('@tensorflow/tfjs-core').Tensor;
}

const { tokens: T, hidden: H, ffn: F, batch: B, heads: NH, seq: S } = d;
const cases: PeerCase[] = [
  {
    name: `matmul x[${T},${H}]·W[${H},${H}]ᵀ`,
    kind: 'matmul',
    work: 2 * T * H * H,
    shapes: [
      [T, H],
      [H, H],
    ],
    ours: ([a, b]) => wt.matmul(a, b, { transB: true }),
    tfjs: ([a, b]) => tf.matMul(a, b, false, true),
  },
  {
    name: `matmul x[${T},${H}]·W[${F},${H}]ᵀ`,
    kind: 'matmul',
    work: 2 * T * F * H,
    shapes: [
      [T, H],
      [F, H],
    ],
    ours: ([a, b]) => wt.matmul(a, b, { transB: true }),
    tfjs: ([a, b]) => tf.matMul(a, b, false, true),
  },
  {
    name: `matmul x[${T},${F}]·W[${H},${F}]ᵀ`,
    kind: 'matmul',
    work: 2 * T * F * H,
    shapes: [
      [T, F],
      [H, F],
    ],
    ours: ([a, b]) => wt.matmul(a, b, { transB: true }),
    tfjs: ([a, b]) => tf.matMul(a, b, false, true),
  },
  {
    name: `matmul dY[${T},${F}]·W[${F},${H}]`,
    kind: 'matmul',
    work: 2 * T * F * H,
    shapes: [
      [T, F],
      [F, H],
    ],
    ours: ([a, b]) => wt.matmul(a, b),
    tfjs: ([a, b]) => tf.matMul(a, b),
  },
  {
    name: `matmul dY[${T},${F}]ᵀ·X[${T},${H}]`,
    kind: 'matmul',
    work: 2 * T * F * H,
    shapes: [
      [T, F],
      [T, H],
    ],
    ours: ([a, b]) => wt.matmul(a, b, { transA: true }),
    tfjs: ([a, b]) => tf.matMul(a, b, true, false),
  },
  {
    name: `softmax [${B * NH},${S},${S}]`,
    kind: 'memory',
    work: 8 * B * NH * S * S,
    shapes: [[B, NH, S, S]],
    ours: ([x]) => wt.softmax(x),
    tfjs: ([x]) => tf.softmax(x),
  },
];
for (const C of [H, F]) {
  cases.push(
    {
      name: `gelu [${T},${C}]`,
      kind: 'memory',
      work: 8 * T * C,
      shapes: [[T, C]],
      ours: ([x]) => wt.gelu(x),
      tfjs: ([x]) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))),
    },
    {
      name: `layernorm [${T},${C}]`,
      kind: 'memory',
      work: 8 * T * C,
      shapes: [[T, C], [C], [C]],
      ours: ([x, g, b]) => wt.layerNorm(x, g, b, 1e-12),
      tfjs: ([x, g, b]) => {
        const { mean, variance } = tf.moments(x, -1, true);
        return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-12))), g), b);
      },
    },
  );
}

const rows: Record<string, unknown>[] = [];
const tableRows: (string | number)[][] = [];
for (const c of cases) {
  if (args.filter && !args.filter.test(c.name)) continue;
  const host = c.shapes.map((s, i) =>
    wt.normalArray(
      s.reduce((a, b) => a * b, 1),
      100 + i,
    ),
  );
  const ourIn = host.map((h, i) => wt.tensor(h, c.shapes[i]).keep());
  const tfIn = host.map((h, i) => tf.tensor(h, c.shapes[i]));
  const {
    ours,
    tf: tfjs,
    ratios,
  } = await timePaired(
    () => [c.ours(ourIn)],
    () => c.tfjs(tfIn),
  );
  const [oursMs, tfMs, ratio] = [ours.medianMs, tfjs.medianMs, ratios.medianMs];
  ourIn.forEach((t) => t.dispose());
  tfIn.forEach((t) => t.dispose());
  const rate = (ms: number): number => (c.kind === 'matmul' ? c.work / (ms * 1e6) : c.work / (ms * 1e-3) / 2 ** 30);
  const unit = c.kind === 'matmul' ? 'GFLOP/s' : 'GiB/s';
  rows.push({
    name: c.name,
    kind: c.kind,
    unit,
    oursMs,
    tfjsMs: tfMs,
    ours: rate(oursMs),
    tfjs: rate(tfMs),
    ratio,
    adapter: rt.info.adapterName,
    oursSpread: ours,
    tfjsSpread: tfjs,
    ratioMin: ratios.minMs,
    ratioMax: ratios.maxMs,
    ratios: ratios.samplesMs,
  });
  const ratioRange = `${fmt(ratios.minMs)}–${fmt(ratios.maxMs)}`;
  tableRows.push([
    c.name,
    oursMs,
    ours.minMs,
    ours.maxMs,
    tfMs,
    tfjs.minMs,
    tfjs.maxMs,
    rate(oursMs),
    rate(tfMs),
    unit,
    `${fmt(ratio)}× (${ratioRange})`,
  ]);
  console.log(
    `  ${c.name}: ours ${fmtSpread(ours)}, tfjs ${fmtSpread(tfjs)}; ${fmt(ratio)}× (median of paired ratios, ${ratioRange})`,
  );
}
console.log(
  `\n${rt.info.description}: webtune vs tfjs-backend-webgpu ${tf.version_core}, same adapter, same process\n`,
);
console.log(
  table(
    ['op', 'ours ms', 'min', 'max', 'tfjs ms', 'min', 'max', 'ours', 'tfjs', 'unit', 'speed-up (min–max)'],
    tableRows,
  ),
);
const path = writeResults(rt, args.out, `${adapterSlug(rt)}.peers.json`, {
  bench: 'peers',
  iterations,
  scale,
  dims: d,
  tfjs: tf.version_core,
  results: rows,
  dawnWaits: nativeWait ? 'native (tfjs spins)' : 'throttled for both',
  onnxruntime: 'see the .peers_onnx.json result (npm run bench:peers:onnx)',
});
console.log(`wrote ${path}`);
wt.shutdown();
process.exit(0);
