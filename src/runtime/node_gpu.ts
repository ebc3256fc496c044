// Node's WebGPU: Dawn through the `webgpu` npm package. Imported only by the Node entry.
import { setGPUProvider } from './device.js';

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
