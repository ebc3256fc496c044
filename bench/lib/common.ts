// Shared bench plumbing: argument parsing, shape scale, runtime start-up with timestamp quantization off,
// tinybench runs timed on the GPU, sample spreads, results files (with their provenance) and tables.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import * as wt from '../../src/index.js';
import { COMMAND_PREFIX } from '../../src/runtime/runtime.js';
import { GpuTimer, type TimerMode } from './gpu_timer.js';
import { adapterRecord, hostCpu, provenance } from './provenance.js';

export interface BenchArgs {
  quick: boolean | undefined;
  out: string;
  filter: RegExp | undefined;
  timer: TimerMode | undefined;
  iterations: number;
  rest: Map<string, string>;
}

export function parseArgs(argv = process.argv.slice(2)): BenchArgs {
  const rest = new Map<string, string>();
  let quick: boolean | undefined;
  let out = 'bench/results';
  let filter: RegExp | undefined;
  let timer: TimerMode | undefined;
  let iterations = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = (): string => {
      if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
      return argv[++i];
    };
    if (a === '--quick') quick = true;
    else if (a === '--full') quick = false;
    else if (a.startsWith('--out')) out = val();
    else if (a.startsWith('--filter')) filter = new RegExp(val());
    else if (a.startsWith('--timer')) timer = val() as TimerMode;
    else if (a.startsWith('--iterations')) iterations = Number(val());
    else if (a.startsWith('--')) {
      const key = a.replace(/^--/, '').split('=')[0];
      if (a.includes('=')) rest.set(key, val());
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) rest.set(key, argv[++i]);
      else rest.set(key, 'true');
    }
  }
  if (timer !== undefined && timer !== 'timestamp' && timer !== 'queue') {
    usageError(`--timer must be timestamp or queue, got "${timer}"`);
  }
  if (iterations !== 0 && !(Number.isInteger(iterations) && iterations >= 2)) {
    usageError(`--iterations must be an integer ≥ 2 (a spread needs samples), got "${iterations}"`);
  }
  return { quick, out, filter, timer, iterations, rest };
}

/** Stops the bench with a usage error naming the flag (exit code 2), before any GPU work. */
export function usageError(message: string): never {
  console.error(`${process.argv[1]?.split('/').pop() ?? 'bench'}: ${message}`);
  process.exit(2);
}

/** The integer value of --key (default `def`), refused below `min` with a usage error. */
export function intArg(args: BenchArgs, key: string, def: number, min: number, what = ''): number {
  const raw = args.rest.get(key);
  if (raw === undefined) return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) {
    usageError(`--${key} must be an integer ≥ ${min}${what ? ` (${what})` : ''}, got "${raw}"`);
  }
  return v;
}

/**
 * Starts the runtime with Dawn's timestamp quantization off (exact GPU timestamps), the benches' tuning rounds
 * (TUNE_MIN_MS), and the settings named by WEBTUNE_<SETTING> environment variables on top (e.g.
 * WEBTUNE_ATTENTION_KERNEL=fused, WEBTUNE_AUTOTUNE_MIN_MS=0; src/runtime/settings.ts).
 */
export async function startRuntime(): Promise<wt.Runtime> {
  wt.setDawnFlags([
    'disable-dawn-features=timestamp_quantization',
    ...(process.env.BENCH_DAWN_FLAGS?.split(' ').filter(Boolean) ?? []),
  ]);
  wt.quietDawnNotices();
  wt.configure({ autotuneMinMs: TUNE_MIN_MS, ...wt.settingsFromEnv(process.env) });
  return wt.init();
}

/**
 * Shape scale: 1 = DistilBERT's training shapes. BENCH_SCALE overrides; else --quick (1/8 of the tokens) by default on
 * a software adapter and full shapes on a real GPU (--full / --quick force either).
 */
export function shapeScale(rt: wt.Runtime, args: BenchArgs): number {
  if (process.env.BENCH_SCALE) return Number(process.env.BENCH_SCALE);
  const quick = args.quick ?? rt.info.isSoftware;
  return quick ? 1 / 8 : 1;
}

const slugOf = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** The results files' name stem: the adapter, and for a software adapter the host CPU (results from two hosts never share a file). */
export function adapterSlug(rt: wt.Runtime): string {
  // The description (vendor, architecture, device, driver): adapterName alone can be just a driver version.
  const slug = slugOf(rt.info.description).slice(0, 80).replace(/-+$/, '') || 'unknown-adapter';
  return rt.info.isSoftware ? `${slug}-on-${slugOf(hostCpu()).slice(0, 40)}` : slug;
}

export { adapterRecord };

/** Median, min and max of timed samples (ms), and the samples themselves. */
export interface Spread {
  medianMs: number;
  minMs: number;
  maxMs: number;
  samplesMs: number[];
}

export function spread(samplesMs: number[]): Spread {
  if (samplesMs.length === 0) throw new Error('spread: no samples');
  const s = [...samplesMs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const medianMs = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { medianMs, minMs: s[0], maxMs: s[s.length - 1], samplesMs };
}

/** "median ms (min–max, n samples)". */
export const fmtSpread = (r: Spread): string =>
  `${fmt(r.medianMs)} ms (${fmt(r.minMs)}–${fmt(r.maxMs)}, ${r.samplesMs.length} samples)`;

/** Of a timestamped sample's entries, the commands outside compute passes (clears, copies: runtime COMMAND_PREFIX). */
export const isCommand = (k: { name: string }): boolean => k.name.startsWith(COMMAND_PREFIX);

export interface TimedResult extends Spread {
  name: string;
  /** Per-dispatch (and per clear / copy, named cmd:…) GPU times of the median sample. */
  kernels: { name: string; ms: number }[];
  /** Of the median sample (timestamp mode): the time of its clears and copies, included in the sample. */
  commandMs: number;
}

/**
 * Times `run` (which encodes GPU work and returns what to dispose) with tinybench, each sample's duration being the
 * GPU time from `timer`. `iterations` samples after one warm-up.
 */
export async function benchGpu(
  timer: GpuTimer,
  name: string,
  run: () => (wt.Tensor | null | undefined)[] | void,
  iterations: number,
): Promise<TimedResult> {
  const samples: { ms: number; kernels: { name: string; ms: number }[] }[] = [];
  const bench = new Bench({ iterations, time: 0, warmup: true, warmupIterations: 1, warmupTime: 0, throws: true });
  bench.add(name, async () => {
    let outs: (wt.Tensor | null | undefined)[] | void = undefined;
    const t = await timer.time(() => {
      outs = run();
    });
    for (const o of (outs ?? []) as (wt.Tensor | null | undefined)[]) o?.dispose();
    samples.push(t);
    return { overriddenDuration: t.ms };
  });
  await bench.run();
  // The samples after the warm-up (tinybench's own statistics would interpolate the median of an even count).
  const timed = samples.slice(-iterations);
  const sorted = [...timed].sort((a, b) => a.ms - b.ms);
  const med = sorted[Math.floor(sorted.length / 2)];
  const kernels = med?.kernels ?? [];
  const commandMs = kernels.filter(isCommand).reduce((a, k) => a + k.ms, 0);
  return { name, ...spread(timed.map((t) => t.ms)), kernels, commandMs };
}

/** Writes <dir>/<file>: the provenance block (bench version, source commit, date, host, adapter, command) then data. */
export function writeResults(rt: wt.Runtime, dir: string, file: string, data: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify({ ...provenance(rt), ...data }, null, 2) + '\n');
  return path;
}

/** A fixed-width text table. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map((r) => line(r.map(String)))].join(
    '\n',
  );
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

export { GpuTimer };

/**
 * Benches' matmul tuning (the autotuneMinMs setting): rounds continue (up to 8) until they took this long, so short
 * products get enough samples on a noisy host.
 */
export const TUNE_MIN_MS = 3000;

/** Node-side persistence of the autotuner's choices (~/.cache/webtune/autotune.json; WEBTUNE_AUTOTUNE_CACHE overrides). */
export async function loadAutotuneCache(): Promise<string> {
  const { existsSync, readFileSync } = await import('node:fs');
  const path = autotuneCachePath();
  if (existsSync(path)) {
    try {
      wt.autotuner.importCache(JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>);
    } catch {
      // A corrupt cache is ignored: it is only a cache.
    }
  }
  return path;
}

export function saveAutotuneCache(): string {
  const path = autotuneCachePath();
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(wt.autotuner.exportCache(), null, 2) + '\n');
  return path;
}

function autotuneCachePath(): string {
  const home = process.env.HOME ?? '/tmp';
  return process.env.WEBTUNE_AUTOTUNE_CACHE ?? join(home, '.cache', 'webtune', 'autotune.json');
}
