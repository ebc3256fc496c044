// npm run bench: microbenchmarks of every kernel of a DistilBERT training step at its shapes (B=16, T=128; shrunk
// on software adapters unless --full), timed on the GPU (timestamp queries, else queue completion), against
// ceilings measured in the same run: vec4 copy bandwidth (plain, and 4 vec4s per lane) and the best matmul.
// Writes <out>/<adapter>.json. A row's time covers all the work it counts: in timestamp mode the clears and copies
// its op encodes (the embedding gradient's zero fill, the matmul operands' texture-view copies) are timed with its
// dispatches (column "clears/copies ms"; the rate from the dispatches alone is recorded beside, as earlier versions
// reported it).
// Matmul products are autotuned first (choices cached in ~/.cache/webtune/autotune.json; --no-tune skips, --retune
// ignores the cache).
// Usage: node dist/bench/kernels.js [--quick|--full] [--out DIR] [--filter REGEX] [--timer queue] [--iterations N]
import * as wt from '../src/index.js';
import { copyCase } from './lib/ceiling.js';
import { autotuneMatmulOp } from '../src/ops/matmul_autotune.js';
import {
  adapterSlug,
  benchGpu,
  fmtSpread,
  GpuTimer,
  loadAutotuneCache,
  parseArgs,
  saveAutotuneCache,
  shapeScale,
  startRuntime,
  table,
  writeResults,
} from './lib/common.js';
import { dims, kernelCases, type Case } from './lib/kernel_cases.js';
import { knownPeaks, percentOfPeak } from './lib/peaks.js';

const args = parseArgs();
const rt = await startRuntime();
const scale = shapeScale(rt, args);
const d = dims(scale);
const timer = new GpuTimer(rt, args.timer);
const iterations = args.iterations || (rt.info.isSoftware ? 3 : 20);
console.log(
  `adapter: ${rt.info.description} (${rt.info.isSoftware ? 'software' : 'hardware'}); features: ${rt.info.features.join(', ')}`,
);
console.log(
  `timer: ${timer.mode}; scale ${scale} (tokens ${d.tokens}, AdamW ${d.params} params); ${iterations} samples per kernel`,
);

const copyFloats = Math.max(d.tokens * d.ffn, 16 << 20);
const ceilingCases = [copyCase(copyFloats), copyCase(copyFloats, 4)];
const cases: Case[] = [...ceilingCases, ...kernelCases(d)].filter(
  (c) => ceilingCases.includes(c) || !args.filter || args.filter.test(c.name),
);

interface Row {
  name: string;
  kind: Case['kind'];
  half?: boolean;
  medianMs: number;
  minMs: number;
  maxMs: number;
  samplesMs: number[];
  rate: number;
  unit: string;
  kernels: { name: string; ms: number }[];
  /** Of the median sample: its clears and copies (included in medianMs), and the rate from its dispatches alone. */
  commandMs: number;
  rateDispatchesOnly: number;
  /** Memory kernels: median over rounds of (kernel rate / copy rate), each round timing both back to back. */
  pairedPercentOfCopy?: number;
  pairedPercentOfBestCopy?: number;
}
// The copies stay set up through the run: each memory kernel's samples alternate with theirs (PAIRED_ROUNDS rounds),
// so a shared host's drift between the ceiling's measurement and the kernel's hits both alike. The copies also
// evict the kernel's inputs from the caches, as the copy's own buffers are: cold against cold (a kernel's
// back-to-back samples can find its inputs cached: LayerNorm backward at [2048, 768] reads 12 MiB).
const PAIRED_ROUNDS = Math.max(iterations, 11);
const copies = ceilingCases.map((c) => ({ work: c.work, ...c.setup() }));
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
async function sampleMs(run: () => (wt.Tensor | null | undefined)[]): Promise<number> {
  let outs: (wt.Tensor | null | undefined)[] = [];
  const t = await timer.time(() => {
    outs = run();
  });
  for (const o of outs) o?.dispose();
  return t.ms;
}
/** Paired percent of the plain copy and of the faster copy (per round) for a memory kernel moving `work` bytes. */
async function pairedPercents(
  run: () => (wt.Tensor | null | undefined)[],
  work: number,
): Promise<{ plain: number; best: number }> {
  const plain: number[] = [];
  const best: number[] = [];
  for (let i = 0; i < PAIRED_ROUNDS; i++) {
    // Odd rounds time the kernel first, so whatever follows a copy (or the kernel) weighs on both sides alike.
    let rate = i % 2 ? work / (await sampleMs(run)) : 0;
    const copyRates = [];
    for (const c of copies) copyRates.push(c.work / (await sampleMs(c.run)));
    if (i % 2 === 0) rate = work / (await sampleMs(run));
    plain.push((100 * rate) / copyRates[0]);
    best.push((100 * rate) / Math.max(...copyRates));
  }
  return { plain: median(plain), best: median(best) };
}
const tune = !args.rest.has('no-tune');
// --retune re-measures every product but keeps (and overwrites) the other cached choices.
const retune = args.rest.has('retune');
const cachePath = tune ? await loadAutotuneCache() : undefined;
const tuning: Record<string, unknown>[] = [];
const rows: Row[] = [];
for (const c of cases) {
  // The ceilings run on the copies already set up for the paired rounds (released after the loop).
  const ceiling = copies[ceilingCases.indexOf(c)];
  const { run, dispose } = ceiling ? { run: ceiling.run, dispose: () => {} } : c.setup();
  if (tune && c.kind === 'matmul') {
    const res = await autotuneMatmulOp(run, undefined, !retune);
    for (const r of res) {
      tuning.push({ case: c.name, ...r });
      const times = Object.entries(r.times)
        .map(([id, ms]) => `${id} ${ms.toFixed(1)}`)
        .join(', ');
      console.log(`  tune ${c.name}: ${r.choice} (${times} ms)`);
    }
  }
  await rt.sync();
  const r = await benchGpu(timer, c.name, run, iterations);
  const paired = c.kind === 'memory' && !ceilingCases.includes(c) ? await pairedPercents(run, c.work) : undefined;
  dispose();
  const rateOf = (ms: number): number => (c.kind === 'matmul' ? c.work / (ms * 1e6) : c.work / (ms * 1e-3) / 2 ** 30);
  const rate = rateOf(r.medianMs);
  const row: Row = {
    name: c.name,
    kind: c.kind,
    half: c.half,
    medianMs: r.medianMs,
    minMs: r.minMs,
    maxMs: r.maxMs,
    samplesMs: r.samplesMs,
    rate,
    unit: c.kind === 'matmul' ? 'GFLOP/s' : 'GiB/s',
    kernels: r.kernels,
    commandMs: r.commandMs,
    rateDispatchesOnly: rateOf(r.medianMs - r.commandMs),
    pairedPercentOfCopy: paired?.plain,
    pairedPercentOfBestCopy: paired?.best,
  };
  rows.push(row);
  const commands = r.commandMs > 0 ? ` (${r.commandMs.toFixed(3)} ms of it clears/copies)` : '';
  const pairedText = paired
    ? `, paired ${paired.plain.toFixed(0)}% of copy, ${paired.best.toFixed(0)}% of the best copy`
    : '';
  console.log(`  ${c.name}: ${fmtSpread(r)}${commands}, ${rate.toFixed(2)} ${row.unit}${pairedText}`);
}

for (const c of copies) c.dispose();
// % ceiling: of the run's best matmul (products), of the plain vec4 copy (memory kernels: paired rounds where
// measured); % best copy: of the faster of both copies, paired likewise.
const copyGiBs = rows[0].rate;
const bestCopyGiBs = Math.max(rows[0].rate, rows[1].rate);
const bestMatmul = Math.max(...rows.filter((r) => r.kind === 'matmul').map((r) => r.rate), 0);
const pct = (r: Row): number => r.pairedPercentOfCopy ?? (100 * r.rate) / (r.kind === 'matmul' ? bestMatmul : copyGiBs);
const pctBestCopy = (r: Row): number | string =>
  r.kind === 'matmul' ? '' : (r.pairedPercentOfBestCopy ?? (100 * r.rate) / bestCopyGiBs);

// % peak: of the adapter's datasheet peak (bench/lib/peaks.ts): f32 FMA or f16 matrix for products, bandwidth for
// memory kernels; "unknown" for adapters not in the table (lavapipe).
const peaks = knownPeaks(rt.info.description);
const pctPeak = (r: Row): number | string => percentOfPeak(peaks, r.kind, r.rate, r.half) ?? 'unknown';
console.log(
  `\n${rt.info.description} — ceilings this run: copy ${copyGiBs.toFixed(2)} GiB/s (4 vec4s per lane ${rows[1].rate.toFixed(2)}), best matmul ${bestMatmul.toFixed(2)} GFLOP/s`,
);
console.log(
  peaks
    ? `peaks (datasheet, ${peaks.name}): f32 ${peaks.f32Tflops} TFLOP/s, f16 matrix ${peaks.f16MatrixTflops} TFLOP/s, memory ${peaks.memoryGBs} GB/s; ${peaks.source}\n`
    : "peaks: unknown for this adapter (not in bench/lib/peaks.ts); % ceiling is of this run's measured copy and best matmul\n",
);
console.log(
  table(
    [
      'kernel',
      'median ms',
      'min ms',
      'max ms',
      'clears/copies ms',
      'rate',
      'unit',
      '% ceiling',
      '% best copy',
      '% peak',
      'dispatches',
    ],
    rows.map((r) => [
      r.name,
      r.medianMs,
      r.minMs,
      r.maxMs,
      r.commandMs || '',
      r.rate,
      r.unit,
      pct(r),
      pctBestCopy(r),
      pctPeak(r),
      r.kernels.map((k) => k.name).join(' '),
    ]),
  ),
);
// What the dispatches-only timing of bench version 1 would have reported for the rows whose ops clear or copy.
const withCommands = rows.filter((r) => r.commandMs > 0);
if (withCommands.length) {
  console.log(
    '\nrows whose time includes clears/copies (untimed before bench version 2): rate with them, from the dispatches alone',
  );
  console.log(
    table(
      ['kernel', 'clears/copies ms', 'median ms', 'rate', 'dispatches only', 'unit'],
      withCommands.map((r) => [r.name, r.commandMs, r.medianMs, r.rate, r.rateDispatchesOnly, r.unit]),
    ),
  );
}

if (tune)
  console.log(`autotune cache: ${saveAutotuneCache()}${cachePath && !retune ? ' (cached choices reused)' : ''}`);
// Full shapes on a software adapter (not its default): a file of their own.
const file = `${adapterSlug(rt)}${rt.info.isSoftware && scale === 1 ? '.full' : ''}.json`;
const path = writeResults(rt, args.out, file, {
  bench: 'kernels',
  timer: timer.mode,
  iterations,
  pairedRounds: PAIRED_ROUNDS,
  scale,
  dims: d,
  ceilings: { copyGiBs, bestCopyGiBs, bestMatmulGflops: bestMatmul },
  peaks: peaks ?? 'unknown',
  results: rows.map((r) => ({
    ...r,
    adapter: rt.info.adapterName,
    percentOfCeiling: pct(r),
    percentOfBestCopy: pctBestCopy(r) || undefined,
    percentOfPeak: percentOfPeak(peaks, r.kind, r.rate, r.half),
  })),
  autotune: tuning,
});
console.log(`\nwrote ${path}`);
timer.destroy();
wt.shutdown();
