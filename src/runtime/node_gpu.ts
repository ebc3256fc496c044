// Node's WebGPU: Dawn through the `webgpu` npm package, and the wait that keeps Dawn's promises from spinning a core.
// Used only by the Node platform (src/platform/platform_node.ts).
import { readFileSync } from 'node:fs';
import { DAWN_LIMIT_NOTICE, filterNativeStderr } from './native_stderr.js';

/**
 * Strong reference to Dawn's GPU object for the life of the process: if it is garbage-collected while GPU work
 * is in flight, Dawn crashes at random (segfault, futex abort).
 */
let dawnGPU: GPU | undefined;
/** The instance that found a hardware adapter (created without its toggles), kept alive with the one in use. */
let probeGPU: GPU | undefined;

export interface NodeGPUOptions {
  /** Extra Dawn toggles, e.g. 'enable-dawn-features=allow_unsafe_apis'. */
  dawnFlags?: string[];
}

let dawnFlags: string[] = [];

let quietNotices = false;

/**
 * Keeps Dawn's limit notices ("Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced …") off stderr;
 * must be called before the first init(), at a point where no other thread opens files (native_stderr.ts says why).
 * The CLIs and benches call it; a library user may too.
 */
export function quietDawnNotices(): void {
  quietNotices = true;
}

/** Sets Dawn toggles; must be called before the first init(). */
export function setDawnFlags(flags: string[]): void {
  dawnFlags = flags;
}

/**
 * The LP_NATIVE_VECTOR_WIDTH to give lavapipe (Mesa's CPU Vulkan driver), or undefined to leave it alone. Lavapipe
 * runs a subgroup as one SIMD register: 8 f32 lanes at its default 256 bits; on a CPU with AVX-512, 512 bits gives
 * 16-lane subgroups, which the 16-lane matmul configs run faster (bench/README.md, *Lavapipe at 512 bits*). A width
 * the user set wins (LP_NATIVE_VECTOR_WIDTH=256 restores Mesa's default). Only the CPU driver reads the variable.
 */
export function lavapipeVectorWidth(userSetting: string | undefined, cpuinfo: string): string | undefined {
  if (userSetting !== undefined && userSetting !== '') return undefined;
  return /^flags\s*:.*\bavx512f\b/m.test(cpuinfo) ? '512' : undefined;
}

/** /proc/cpuinfo, or '' where there is none. */
export function readCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return ''; // not Linux: lavapipe is not the adapter there
  }
}

/**
 * Dawn toggles a hardware adapter gets (instance, adapter and device toggles alike): f16 on NVIDIA's Vulkan driver
 * (Dawn hides shader-f16 there by default), unsafe APIs for the experimental subgroup-matrix feature (Vulkan
 * cooperative matrices: tensor cores), and the Vulkan memory model that feature needs. A software adapter (lavapipe)
 * gets none of them, so its kernels compile exactly as before.
 */
export const HARDWARE_TOGGLES = ['allow_unsafe_apis', 'vulkan_enable_f16_on_nvidia', 'use_vulkan_memory_model'];

/** `flags` with `toggles` added to its enable-dawn-features list (one such flag: Dawn reads a single value). */
export function withEnabledToggles(flags: readonly string[], toggles: readonly string[]): string[] {
  const key = 'enable-dawn-features=';
  const given = flags
    .filter((f) => f.startsWith(key))
    .flatMap((f) => f.slice(key.length).split(','))
    .filter(Boolean);
  const all = [...new Set([...given, ...toggles])];
  return [...flags.filter((f) => !f.startsWith(key)), ...(all.length ? [key + all.join(',')] : [])];
}

/** Dawn's GPU object, created on the first call (after setDawnFlags / quietDawnNotices) and kept for the process. */
export async function dawnGPUObject(): Promise<GPU> {
  if (dawnGPU) return dawnGPU;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  // Read by the driver when Dawn loads it, so it must be set before create().
  const width = lavapipeVectorWidth(process.env.LP_NATIVE_VECTOR_WIDTH, readCpuinfo());
  if (width) process.env.LP_NATIVE_VECTOR_WIDTH = width;
  const { create, globals } = await import('webgpu');
  // WebGPU's enums (GPUBufferUsage, GPUMapMode, …) are globals in browsers; Dawn exports them.
  Object.assign(globalThis, globals);
  // Dawn enumerates the adapters (and prints its notices) synchronously inside the first requestAdapter() of an
  // instance, once: make that first call here, filtered; init's own request then prints nothing.
  const firstAdapter = (gpu: GPU): Promise<GPUAdapter | null> =>
    quietNotices
      ? filterNativeStderr(() => gpu.requestAdapter(), DAWN_LIMIT_NOTICE).catch(() => null)
      : gpu.requestAdapter();
  let gpu = create(dawnFlags) as unknown as GPU;
  const adapter = await firstAdapter(gpu);
  if (adapter && !adapter.info.isFallbackAdapter && !/llvmpipe|lavapipe|swiftshader/i.test(adapter.info.description)) {
    // A hardware adapter: an instance with its toggles (toggles are fixed per instance). The first stays referenced,
    // and stays in use should the toggled instance find no adapter (a Dawn build that refuses one of them).
    const toggled = create(withEnabledToggles(dawnFlags, HARDWARE_TOGGLES)) as unknown as GPU;
    if (await firstAdapter(toggled).catch(() => null)) [probeGPU, gpu] = [gpu, toggled];
  }
  dawnGPU = gpu;
  return dawnGPU;
}

/**
 * The Dawn GPU object the runtime was created from (benches run peer libraries on the same adapter). Not public API.
 */
export function nodeGPUObject(): GPU | undefined {
  return dawnGPU;
}

/**
 * Awaits a Dawn promise without spinning: Dawn's binding polls with back-to-back setImmediate ticks while a promise is
 * pending, which on a 2-core machine takes one of the two cores lavapipe computes on (bench/README.md, *Waiting in
 * Node*). After the first 2 ms, each turn of the event loop sleeps (Atomics.wait) for an eighth of the time waited
 * so far, at most 10 ms, then lets one tick run: ≤ 1/8 latency, a few % of a core.
 */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
export async function throttledWait<T>(p: Promise<T>): Promise<T> {
  let settled = false;
  const done = p.finally(() => {
    settled = true;
  });
  done.catch(() => undefined); // rejection is delivered by the return below, not reported as unhandled meanwhile
  const start = performance.now();
  while (!settled) {
    const waited = performance.now() - start;
    if (waited > 2) Atomics.wait(sleeper, 0, 0, Math.min(10, waited / 8));
    await new Promise((r) => setImmediate(r)); // one Dawn tick (queued before ours) runs first
  }
  return done;
}
