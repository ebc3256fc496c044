// What every results file records about how it was made, so that no number is quoted without its origin: the bench
// version, the source the bench was built from (commit, uncommitted changes), the date, the host (CPU, cores), the
// adapter and the command line with the environment variables that change what runs.
import { execFileSync } from 'node:child_process';
import { cpus, platform, release } from 'node:os';
import type { Runtime } from '../../src/index.js';
import { readCpuinfo } from '../../src/runtime/node_gpu.js';

/**
 * Bumped whenever what a bench times or counts changes, so results of different methods are never compared as
 * equal. 1: results up to issue 25 (bench/results/historical/). 2: clears and copies timed with the dispatches
 * (timestamp mode), ≥ 5 timed samples after a labelled warm-up in bench:train, spreads recorded, provenance. 3:
 * bench:train --fp16 times mixed precision (autocast products, GradScaler, AdamW stepped on the GPU) instead of f16
 * weight copies, and GPUs run 16 × 128 and 16 × 512 by default (f32 timings are measured as in 2); kernels report
 * % of the datasheet peak; the adapter record lists subgroup sizes and subgroup-matrix configurations.
 */
export const BENCH_VERSION = 3;

interface SourceState {
  commit: string;
  dirty: boolean;
  changes: string[];
  /** Built from a `git archive` export of `commit` (bench/compare_builds.sh), which has no .git. */
  exported?: boolean;
  builtAt: string;
}
/** Defined by scripts/build.mjs for the bench bundles (absent when bench code runs unbundled). */
declare const BENCH_SOURCE: SourceState | undefined;

/** Environment variables that change what a bench runs or measures. */
const ENV_KEYS = [
  'BENCH_SCALE',
  'BENCH_DAWN_FLAGS',
  'LP_NATIVE_VECTOR_WIDTH',
  'WEBTUNE_AUTOTUNE_CACHE',
  'MESA_SHADER_CACHE_DIR',
];

/** The host's CPU model: a software adapter's real hardware (one lavapipe build reports the same name on every host). */
export const hostCpu = (): string => cpus()[0]?.model?.trim() || 'unknown CPU';

/**
 * What /proc/cpuinfo says beyond the model name, which a virtual machine can reduce to "AMD EPYC" for CPUs of several
 * generations: vendor, family / model / stepping, and whether it has AVX-512 (lavapipe's width follows it).
 */
function cpuDetails(): Record<string, unknown> {
  const info = readCpuinfo();
  const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim();
  if (!info) return {};
  return {
    vendor: field('vendor_id'),
    family: field('cpu family'),
    model: field('model'),
    stepping: field('stepping'),
    avx512f: /^flags\s*:.*\bavx512f\b/m.test(info),
  };
}

/** HEAD of the checkout the bench runs in, or undefined (no git there). */
function headNow(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function adapterRecord(rt: Runtime): Record<string, unknown> {
  return {
    adapterName: rt.info.adapterName,
    description: rt.info.description,
    vendor: rt.info.vendor,
    architecture: rt.info.architecture,
    isSoftware: rt.info.isSoftware,
    features: rt.info.features,
    // What kernel selection sees (device profile): subgroup sizes, f16, the subgroup-matrix shapes (tensor cores).
    subgroupMinSize: rt.info.subgroupMinSize,
    subgroupMaxSize: rt.info.subgroupMaxSize,
    subgroupMatrixConfigs: rt.info.subgroupMatrixConfigs,
    maxComputeWorkgroupStorageSize: rt.info.limits.maxComputeWorkgroupStorageSize,
    hostCpu: hostCpu(),
    hostCores: cpus().length,
  };
}

/** The provenance block at the head of every results file (warns when dist/ is older than the checked-out commit). */
export function provenance(rt: Runtime): Record<string, unknown> {
  const head = headNow();
  const source: SourceState =
    typeof BENCH_SOURCE === 'undefined'
      ? { commit: head ?? 'unknown', dirty: true, changes: ['(not built by scripts/build.mjs)'], builtAt: '' }
      : BENCH_SOURCE;
  if (head && head !== source.commit)
    console.warn(`bench: dist/ was built from ${source.commit} but HEAD is ${head}: run npm run build`);
  if (source.dirty) {
    console.warn(
      `bench: built from a tree with uncommitted changes (${source.changes.length} paths): the results file says so`,
    );
  }
  const env = Object.fromEntries(ENV_KEYS.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
  return {
    benchVersion: BENCH_VERSION,
    source: { ...source, headAtRun: head ?? 'unknown' },
    date: new Date().toISOString(),
    host: {
      cpu: hostCpu(),
      ...cpuDetails(),
      cores: cpus().length,
      os: `${platform()} ${release()}`,
      node: process.version,
    },
    adapter: adapterRecord(rt),
    command: { argv: process.argv.slice(2), env },
  };
}
