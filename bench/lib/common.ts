// Shared bench plumbing: argument parsing, shape scale, runtime start-up with timestamp quantization off,
// tinybench runs timed on the GPU, results files and tables.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import * as wt from '../../src/index.js';
import { GpuTimer, type TimerMode } from './gpu_timer.js';

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
  return { quick, out, filter, timer, iterations, rest };
}

/**
 * Starts the runtime with Dawn's timestamp quantization off (exact GPU timestamps), the benches' tuning rounds
 * (TUNE_MIN_MS), and the settings named by WEBTUNE_<SETTING> environment variables on top (e.g.
 * WEBTUNE_ATTENTION_KERNEL=fused, WEBTUNE_AUTOTUNE_MIN_MS=0; src/runtime/settings.ts).
 */
export async function startRuntime(): Promise<wt.Runtime> {
  wt.setDawnFlags(['disable-dawn-features=timestamp_quantization', ...(process.env.BENCH_DAWN_FLAGS?.split(' ').filter(Boolean) ?? [])]);
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

/** The host's CPU model: a software adapter's real hardware (one lavapipe build reports the same name on every host). */
const hostCpu = (): string => cpus()[0]?.model?.trim() || 'unknown CPU';
const slugOf = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

/** The results files' name stem: the adapter, and for a software adapter the host CPU (results from two hosts never share a file). */
export function adapterSlug(rt: wt.Runtime): string {
  // The description (vendor, architecture, device, driver): adapterName alone can be just a driver version.
  const slug = slugOf(rt.info.description).slice(0, 80).replace(/-+$/, '') || 'unknown-adapter';
  return rt.info.isSoftware ? `${slug}-on-${slugOf(hostCpu()).slice(0, 40)}` : slug;
}

export function adapterRecord(rt: wt.Runtime): Record<string, unknown> {
  return {
    adapterName: rt.info.adapterName,
    description: rt.info.description,
    vendor: rt.info.vendor,
    architecture: rt.info.architecture,
    isSoftware: rt.info.isSoftware,
    features: rt.info.features,
    hostCpu: hostCpu(),
    hostCores: cpus().length,
  };
}

export interface TimedResult {
  name: string;
  medianMs: number;
  minMs: number;
  samples: number;
  /** Per-dispatch GPU times of the median sample (kernel names). */
  kernels: { name: string; ms: number }[];
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
  const task = bench.tasks[0];
  const r = task.result as unknown as { latency: { p50: number; min: number; samplesCount?: number } };
  const timed = samples.slice(-iterations);
  const sorted = [...timed].sort((a, b) => a.ms - b.ms);
  const med = sorted[Math.floor(sorted.length / 2)];
  return { name, medianMs: r.latency.p50, minMs: r.latency.min, samples: timed.length, kernels: med?.kernels ?? [] };
}

export function writeResults(dir: string, file: string, data: unknown): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify(data, null, 2) + '\n');
  return path;
}

/** A fixed-width text table. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map((r) => line(r.map(String)))].join('\n');
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
