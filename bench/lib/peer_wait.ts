// Peer libraries (tfjs, onnxruntime-web) await Dawn's promises directly, and Dawn's Node binding settles them by
// busy-looping setImmediate ticks, which takes one of lavapipe's cores (see src/runtime/node_gpu.ts). For a like-
// for-like comparison every Dawn promise of the process (onSubmittedWorkDone, mapAsync) is routed through the same
// throttledWait our runtime uses, and our runtime's own wrapper is switched off so nothing is wrapped twice.
import { currentPlatform, setPlatform } from '../../src/platform/platform.js';
import { throttledWait } from '../../src/runtime/node_gpu.js';

let patched = false;

/** Patches GPUQueue.onSubmittedWorkDone and GPUBuffer.mapAsync (prototype-wide) to wait without spinning. */
export function throttleAllDawnWaits(device: GPUDevice): void {
  if (patched) return;
  patched = true;
  const queueProto = Object.getPrototypeOf(device.queue) as GPUQueue;
  const onDone = queueProto.onSubmittedWorkDone;
  queueProto.onSubmittedWorkDone = function (this: GPUQueue) {
    return throttledWait(onDone.call(this));
  };
  const probe = device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ });
  const bufferProto = Object.getPrototypeOf(probe) as GPUBuffer;
  probe.destroy();
  const mapAsync = bufferProto.mapAsync;
  bufferProto.mapAsync = function (this: GPUBuffer, mode: number, offset?: number, size?: number) {
    return throttledWait(mapAsync.call(this, mode, offset, size));
  };
  const platform = currentPlatform();
  if (platform) setPlatform({ ...platform, waitGPU: (p) => p });
}
