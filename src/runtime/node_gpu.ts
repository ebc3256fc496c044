// Node's WebGPU: Dawn through the `webgpu` npm package. Imported only by the Node entry.
import { setGPUProvider } from './device.js';
import { setGPUWait } from './runtime.js';

/**
 * Strong reference to Dawn's GPU object for the life of the process: if it is garbage-collected while GPU work
 * is in flight, Dawn crashes at random (segfault, futex abort).
 */
let dawnGPU: GPU | undefined;

export interface NodeGPUOptions {
  /** Extra Dawn toggles, e.g. 'enable-dawn-features=allow_unsafe_apis'. */
  dawnFlags?: string[];
}

let dawnFlags: string[] = [];

/** Sets Dawn toggles; must be called before the first init(). */
export function setDawnFlags(flags: string[]): void {
  dawnFlags = flags;
}

setGPUProvider(async () => {
  if (dawnGPU) return dawnGPU;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const { create, globals } = await import('webgpu');
  // WebGPU's enums (GPUBufferUsage, GPUMapMode, …) are globals in browsers; Dawn exports them.
  Object.assign(globalThis, globals);
  dawnGPU = create(dawnFlags) as unknown as GPU;
  return dawnGPU;
});

/** The Dawn GPU object the runtime was created from (benches run peer libraries on the same adapter). Not public API. */
export function nodeGPUObject(): GPU | undefined {
  return dawnGPU;
}

/**
 * Awaits a Dawn promise without spinning: Dawn's binding polls with back-to-back setImmediate ticks while a promise is
 * pending, which on a 2-core machine takes one of the two cores lavapipe computes on (measured: ~20 s of main-thread
 * CPU in a 30 s training step). After the first 2 ms, each turn of the event loop sleeps (Atomics.wait) for an
 * eighth of the time waited so far, at most 10 ms, then lets one tick run: ≤ 1/8 latency, a few % of a core.
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
setGPUWait(throttledWait);
