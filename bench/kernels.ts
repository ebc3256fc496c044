// npm run bench: microbenchmarks of every kernel of a DistilBERT training step at its shapes (B=16, T=128; shrunk
// on software adapters unless --full), timed on the GPU (timestamp queries, else queue completion), against
// ceilings measured in the same run: vec4 copy bandwidth (plain, and 4 vec4s per lane) and the best matmul.
// Writes <out>/<adapter>.json.
// Matmul products are autotuned first (choices cached in ~/.cache/webtune/autotune.json; --no-tune skips, --retune
// ignores the cache).
// Usage: node dist/bench/kernels.js [--quick|--full] [--out DIR] [--filter REGEX] [--timer queue] [--iterations N]
import * as wt from '../src/index.js';
import { copyCase } from './lib/ceiling.js';
import { autotuneMatmulOp } from '../src/ops/matmul.js';
import { adapterRecord, adapterSlug, benchGpu, GpuTimer, loadAutotuneCache, parseArgs, saveAutotuneCache, shapeScale, startRuntime, table, TUNE_MIN_MS, writeResults } from './lib/common.js';
import { dims, kernelCases, type Case } from './lib/kernel_cases.js';

const args = parseArgs();
const rt = await startRuntime();
const scale = shapeScale(rt, args);
const d = dims(scale);
const timer = new GpuTimer(rt, args.timer);
const iterations = args.iterations || (rt.info.isSoftware ? 3 : 20);
console.log(`adapter: ${rt.info.description} (${rt.info.isSoftware ? 'software' : 'hardware'}); features: ${rt.info.features.join(', ')}`);
console.log(`timer: ${timer.mode}; scale ${scale} (tokens ${d.tokens}, AdamW ${d.params} params); ${iterations} samples per kernel`);

const copyFloats = Math.max(d.tokens * d.ffn, 16 << 20);
const ceilingCases = [copyCase(copyFloats), copyCase(copyFloats, 4)];
const cases: Case[] = [...ceilingCases, ...kernelCases(d)].filter((c) => ceilingCases.includes(c) || !args.filter || args.filter.test(c.name));

interface Row { name: string; kind: Case['kind']; medianMs: number; minMs: number; rate: number; unit: string; kernels: { name: string; ms: number }[] }
const tune = !args.rest.has('no-tune');
// --retune re-measures every product but keeps (and overwrites) the other cached choices.
const retune = args.rest.has('retune');
const cachePath = tune ? await loadAutotuneCache() : undefined;
const tuning: Record<string, unknown>[] = [];
const rows: Row[] = [];
for (const c of cases) {
  const { run, dispose } = c.setup();
  if (tune && c.kind === 'matmul') {
    const res = await autotuneMatmulOp(run, 2, !retune, TUNE_MIN_MS);
    for (const r of res) {
      tuning.push({ case: c.name, ...r });
      const times = Object.entries(r.times).map(([id, ms]) => `${id} ${ms.toFixed(1)}`).join(', ');
      console.log(`  tune ${c.name}: ${r.choice} (${times} ms)`);
    }
  }
  await rt.sync();
  const r = await benchGpu(timer, c.name, run, iterations);
  dispose();
  const rate = c.kind === 'matmul' ? c.work / (r.medianMs * 1e6) : c.work / (r.medianMs * 1e-3) / 2 ** 30;
  const row: Row = { name: c.name, kind: c.kind, medianMs: r.medianMs, minMs: r.minMs, rate, unit: c.kind === 'matmul' ? 'GFLOP/s' : 'GiB/s', kernels: r.kernels };
  rows.push(row);
  console.log(`  ${c.name}: ${r.medianMs.toFixed(3)} ms, ${rate.toFixed(2)} ${row.unit}`);
}

// % ceiling: of the plain vec4 copy (memory kernels) or the best matmul; % best copy: of the faster of both copies.
const copyGiBs = rows[0].rate;
const bestCopyGiBs = Math.max(rows[0].rate, rows[1].rate);
const bestMatmul = Math.max(...rows.filter((r) => r.kind === 'matmul').map((r) => r.rate), 0);
const pct = (r: Row): number => (100 * r.rate) / (r.kind === 'matmul' ? bestMatmul : copyGiBs);
const pctBestCopy = (r: Row): number | string => (r.kind === 'matmul' ? '' : (100 * r.rate) / bestCopyGiBs);

console.log(`\n${rt.info.description} — ceilings this run: copy ${copyGiBs.toFixed(2)} GiB/s (4 vec4s per lane ${rows[1].rate.toFixed(2)}), best matmul ${bestMatmul.toFixed(2)} GFLOP/s\n`);
console.log(table(
  ['kernel', 'median ms', 'min ms', 'rate', 'unit', '% ceiling', '% best copy', 'dispatches'],
  rows.map((r) => [r.name, r.medianMs, r.minMs, r.rate, r.unit, pct(r), pctBestCopy(r), r.kernels.map((k) => k.name).join(' ')]),
));

if (tune) console.log(`autotune cache: ${saveAutotuneCache()}${cachePath && !retune ? ' (cached choices reused)' : ''}`);
const file = `${adapterSlug(rt)}.json`;
const path = writeResults(args.out, file, {
  bench: 'kernels',
  date: new Date().toISOString(),
  adapter: adapterRecord(rt),
  timer: timer.mode,
  scale,
  dims: d,
  ceilings: { copyGiBs, bestCopyGiBs, bestMatmulGflops: bestMatmul },
  results: rows.map((r) => ({ ...r, adapter: rt.info.adapterName, percentOfCeiling: pct(r), percentOfBestCopy: pctBestCopy(r) || undefined })),
  autotune: tuning,
});
console.log(`\nwrote ${path}`);
timer.destroy();
wt.shutdown();
