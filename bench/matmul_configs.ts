// A/B of every matmul kernel choice at the training-step shapes, in one process, rounds interleaved (so another
// process's load hits every choice alike). Queue-completion or timestamp timing as in `npm run bench`.
// Usage: node dist/bench/matmul_configs.js [--filter REGEX] [--choices a,b,c] [--reads texture,buffer] [--rounds N]
// --reads: operand reads to compare (settings' matmulOperandReads; auto: the adapter's); each choice runs with each,
// as its own column.
import * as wt from '../src/index.js';
import { matmulKernelChoices } from '../src/ops/matmul_select.js';
import { GpuTimer, parseArgs, shapeScale, startRuntime, table } from './lib/common.js';
import { dims, kernelCases, matmulCase } from './lib/kernel_cases.js';

const args = parseArgs();
const rt = await startRuntime();
const d = dims(shapeScale(rt, args));
const timer = new GpuTimer(rt, args.timer);
const rounds = Number(args.rest.get('rounds') ?? 3);
const kernels = args.rest.get('choices')?.split(',') ?? matmulKernelChoices().filter((c) => c !== 'strided');
const reads = args.rest.get('reads')?.split(',') ?? ['auto'];
// A column per (kernel, reads) pair: "kernel" alone when only one read mode is compared.
const choices = kernels.flatMap((k) => reads.map((r) => (reads.length > 1 ? `${k}@${r}` : k)));
/** Runs fn with the column's kernel forced (and its operand reads, unless 'auto'). */
const using = <T>(ch: string, fn: () => T): T => {
  const [k, r = reads[0]] = ch.split('@');
  return wt.withSettings({ matmulKernel: k, ...(r === 'auto' ? {} : { matmulOperandReads: r as wt.OperandReads }) }, fn);
};
console.log(`adapter: ${rt.info.description}; timer ${timer.mode}; tokens ${d.tokens}; choices ${choices.join(' ')}`);
const cases = [...kernelCases(d), matmulCase('square 1024³ NN', 1024, 1024, 1024, [1024, 1024], [1024, 1024], {})].filter((c) => c.kind === 'matmul' && (!args.filter || args.filter.test(c.name)));
const rows: (string | number)[][] = [];
for (const c of cases) {
  const { run, dispose } = c.setup();
  const t: Record<string, number[]> = Object.fromEntries(choices.map((ch) => [ch, []]));
  for (const ch of choices) using(ch, () => { for (const o of run()) o?.dispose(); });
  await rt.sync();
  for (let r = 0; r < rounds; r++) {
    for (const ch of choices) {
      let outs: (wt.Tensor | null | undefined)[] = [];
      const s = await timer.time(() => { outs = using(ch, run); });
      for (const o of outs) o?.dispose();
      t[ch].push(s.ms);
    }
  }
  dispose();
  const best = (ch: string): number => Math.min(...t[ch]);
  const g = choices.map((ch) => c.work / (best(ch) * 1e6));
  rows.push([c.name, ...g]);
  console.log(`${c.name}: ${choices.map((ch, i) => `${ch} ${g[i].toFixed(2)}`).join(', ')} GFLOP/s (best of ${rounds})`);
}
console.log(table(['case (GFLOP/s, best of rounds)', ...choices], rows));
timer.destroy();
wt.shutdown();
