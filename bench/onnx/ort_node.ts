// onnxruntime-web in Node on our Dawn adapter: navigator.gpu is set to the Dawn GPU object before ORT is imported;
// ORT's wasm files are read from the package's dist/ directory (a file path); one wasm thread.
// ORT's wasm memory is a SharedArrayBuffer (threaded build) and Dawn's Node binding refuses views of one in
// GPUQueue.writeBuffer, so writeBuffer is wrapped to copy such a view into a fresh ArrayBuffer first.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type Ort = typeof import('onnxruntime-web');

let patched = false;
/** How many writeBuffer calls had SharedArrayBuffer-backed data (copied), and how many went through unchanged. */
export const writeBufferStats = { copied: 0, direct: 0 };

/** Wraps GPUQueue.prototype.writeBuffer so SharedArrayBuffer-backed data is copied before it reaches Dawn. */
export function patchWriteBufferForSharedMemory(queue: GPUQueue): void {
  if (patched) return;
  patched = true;
  const proto = Object.getPrototypeOf(queue) as GPUQueue;
  const original = proto.writeBuffer;
  proto.writeBuffer = function (
    this: GPUQueue,
    buffer: GPUBuffer,
    offset: number,
    data: BufferSource | SharedArrayBuffer,
    dataOffset?: number,
    size?: number,
  ) {
    const isShared = (b: unknown): boolean =>
      typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer;
    if (isShared(data) || (ArrayBuffer.isView(data) && isShared(data.buffer))) writeBufferStats.copied++;
    else writeBufferStats.direct++;
    if (process.env.PEERS_ONNX_NO_COPY)
      return original.call(this, buffer, offset, data as BufferSource, dataOffset, size);
    if (isShared(data)) {
      data = new Uint8Array(data as SharedArrayBuffer).slice();
    } else if (ArrayBuffer.isView(data) && isShared(data.buffer)) {
      const v = data as ArrayBufferView;
      const copy = new Uint8Array(v.byteLength);
      copy.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      // Keep the element type: dataOffset and size count elements of a typed array.
      const Ctor = v.constructor as unknown as { new (b: ArrayBuffer): ArrayBufferView; BYTES_PER_ELEMENT?: number };
      data = (Ctor.BYTES_PER_ELEMENT ? new Ctor(copy.buffer) : copy) as BufferSource;
    }
    return original.call(this, buffer, offset, data as BufferSource, dataOffset, size);
  } as GPUQueue['writeBuffer'];
}

/** Imports onnxruntime-web's WebGPU build with `gpu` as navigator.gpu. */
export async function loadOrt(
  gpu: GPU,
  which: 'webgpu' | 'wasm' = 'webgpu',
): Promise<{ ort: Ort; distDir: string; version: string }> {
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const require = createRequire(import.meta.url);
  // The package's `node` require entry is dist/ort.node.min.js (package.json itself is not exported).
  const distDir = dirname(require.resolve('onnxruntime-web'));
  const file = which === 'webgpu' ? 'ort.webgpu.min.mjs' : 'ort.wasm.min.mjs';
  const ort = (await import(join(distDir, file))) as Ort;
  ort.env.wasm.wasmPaths = distDir + '/';
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const version = (JSON.parse(readFileSync(join(distDir, '..', 'package.json'), 'utf8')) as { version: string })
    .version;
  return { ort, distDir, version };
}
