// A/B of every matmul kernel choice at the training-step shapes, in one process, rounds interleaved (so another
// process's load hits every choice alike). Queue-completion or timestamp timing as in `npm run bench` (texture-view
// copies timed with the product either way). Prints the best of the rounds, and the median with min and max; writes
// <out>/<adapter>.matmul-configs.json with every sample.
// Usage: node dist/bench/matmul_configs.js [--filter REGEX] [--choices a,b,c] [--reads texture,buffer] [--rounds N] [--out DIR]
// --reads: operand reads to compare (settings' matmulOperandReads; auto: the adapter's); each choice runs with each,
// as its own column.
import * as wt from '../src/index.js';
import { matmulKernelChoices } from '../src/ops/matmul_select.js';
import {
  adapterSlug,
  GpuTimer,
  intArg,
  parseArgs,
  shapeScale,
  spread,
  startRuntime,
  table,
  writeResults,
} from './lib/common.js';
import { dims, kernelCases, matmulCase } from './lib/kernel_cases.js';

const args = parseArgs();
const rounds = intArg(args, 'rounds', 3, 2, 'a spread needs at least 2 samples per choice');
const rt = await startRuntime();
const scale = shapeScale(rt, args);
const d = dims(scale);
const timer = new GpuTimer(rt, args.timer);
const kernels = args.rest.get('choices')?.split(',') ?? matmulKernelChoices().filter((c) => c !== 'strided');
const reads = args.rest.get('reads')?.split(',') ?? ['auto'];
// A column per (kernel, reads) pair: "kernel" alone when only one read mode is compared.
const choices = kernels.flatMap((k) => reads.map((r) => (reads.length > 1 ? `${k}@${r}` : k)));
/** Runs fn with the column's kernel forced (and its operand reads, unless 'auto'). */
const using = <T>(ch: string, fn: () => T): T => {
  const [k, r = reads[0]] = ch.split('@');
  return wt.withSettings(
    { matmulKernel: k, ...(r === 'auto' ? {} : { matmulOperandReads: r as wt.OperandReads }) },
    fn,
  );
};
console.log(`adapter: ${rt.info.description}; timer ${timer.mode}; tokens ${d.tokens}; choices ${choices.join(' ')}`);
const cases = [
  ...kernelCases(d),
  matmulCase('square 1024³ NN', 1024, 1024, 1024, [1024, 1024], [1024, 1024], {}),
].filter((c) => c.kind === 'matmul' && (!args.filter || args.filter.test(c.name)));
const rows: (string | number)[][] = [];
const results: Record<string, unknown>[] = [];
for (const c of cases) {
  const { run, dispose } = c.setup();
  const t: Record<string, number[]> = Object.fromEntries(choices.map((ch) => [ch, []]));
  for (const ch of choices)
    using(ch, () => {
      for (const o of run()) o?.dispose();
    });
  await rt.sync();
  for (let r = 0; r < rounds; r++) {
    for (const ch of choices) {
      let outs: (wt.Tensor | null | undefined)[] = [];
      const s = await timer.time(() => {
        outs = using(ch, run);
      });
      for (const o of outs) o?.dispose();
      t[ch].push(s.ms);
    }
  }
  dispose();
  const gflops = (ms: number): number => c.work / (ms * 1e6);
  const s = Object.fromEntries(choices.map((ch) => [ch, spread(t[ch])]));
  const g = choices.map((ch) => gflops(s[ch].minMs));
  rows.push([c.name, ...g]);
  results.push({ name: c.name, flops: c.work, choices: s });
  const range = (ch: string): string => `${gflops(s[ch].maxMs).toFixed(2)}–${gflops(s[ch].minMs).toFixed(2)}`;
  const median = choices.map((ch) => `${ch} ${gflops(s[ch].medianMs).toFixed(2)} (${range(ch)})`);
  console.log(
    `${c.name}: best ${choices.map((ch, i) => `${ch} ${g[i].toFixed(2)}`).join(', ')} GFLOP/s; median (range) ${median.join(', ')}`,
  );
}
console.log(table(['case (GFLOP/s, best of rounds)', ...choices], rows));
const path = writeResults(rt, args.out, `${adapterSlug(rt)}.matmul-configs.json`, {
  bench: 'matmul_configs',
  timer: timer.mode,
  scale,
  rounds,
  choices,
  results,
});
console.log(`wrote ${path}`);
timer.destroy();
wt.shutdown();
