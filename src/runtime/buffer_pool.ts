// Size-bucketed pool of storage buffers (the pooling itself: resource_pool.ts).
import { ResourcePool } from './resource_pool.js';

/** Rounds a byte size up to its bucket: powers of two up to 1 MiB, then steps of 1/8 of the power of two. */
export function bucketSize(bytes: number): number {
  const min = 256;
  if (bytes <= min) return min;
  const pow = 2 ** Math.ceil(Math.log2(bytes));
  if (pow <= 1 << 20) return pow;
  const step = pow / 16;
  return Math.ceil(bytes / step) * step;
}

export interface MemoryStats {
  /** Bytes in buffers currently handed out to tensors. */
  bytesInUse: number;
  /** Bytes of all pool buffers alive on the device (in use + free). */
  bytesAllocated: number;
  buffersAllocated: number;
}

export class BufferPool extends ResourcePool<GPUBuffer> {
  constructor(
    private readonly device: GPUDevice,
    beforeTrim?: () => void,
  ) {
    super(beforeTrim);
  }

  acquire(bytes: number): GPUBuffer {
    return this.take(bucketSize(bytes));
  }

  release(buffer: GPUBuffer): void {
    this.give(buffer);
  }

  stats(): MemoryStats {
    return { bytesInUse: this.inUseBytes, bytesAllocated: this.allocatedBytes, buffersAllocated: this.count };
  }

  protected create(size: number): GPUBuffer {
    return this.device.createBuffer({
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
  }

  protected destroy(b: GPUBuffer): void {
    b.destroy();
  }

  protected key(b: GPUBuffer): number {
    return b.size;
  }

  protected bytes(b: GPUBuffer): number {
    return b.size;
  }
}
