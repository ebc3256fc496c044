// Size-bucketed pool of storage buffers: a training step allocates the same sizes every step, so after the
// first step every request is served from a free list and GPU memory stays flat.

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

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private inUse = 0;
  private allocated = 0;
  private count = 0;
  /**
   * Idle bytes the pool may hold whatever is in use. Above both this and the bytes in use, a request that needs a
   * new buffer first frees every idle one: steps of one shape reuse their buffers and never trim, while steps whose
   * shapes vary (dynamic padding, skipped padding) cannot grow the pool without bound: at every allocation,
   * allocated ≤ in use + max(in use, this) + the new buffer.
   */
  idleFloorBytes = 64 * 2 ** 20;

  /** beforeTrim: submits pending work (an idle buffer may still be read by encoded, unsubmitted commands). */
  constructor(
    private readonly device: GPUDevice,
    private readonly beforeTrim: () => void = () => {},
  ) {}

  acquire(bytes: number): GPUBuffer {
    const size = bucketSize(bytes);
    const list = this.free.get(size);
    let buffer = list?.pop();
    if (!buffer) {
      if (this.allocated - this.inUse > Math.max(this.inUse, this.idleFloorBytes)) {
        this.beforeTrim();
        this.trim();
      }
      buffer = this.create(size);
    }
    this.inUse += size;
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    this.inUse -= buffer.size;
    let list = this.free.get(buffer.size);
    if (!list) this.free.set(buffer.size, (list = []));
    list.push(buffer);
  }

  /** Frees every idle buffer (e.g. between a training run and inference). Pending commands must be submitted first. */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.allocated -= b.size;
        this.count--;
        b.destroy();
      }
    }
    this.free.clear();
  }

  stats(): MemoryStats {
    return { bytesInUse: this.inUse, bytesAllocated: this.allocated, buffersAllocated: this.count };
  }

  private create(size: number): GPUBuffer {
    this.allocated += size;
    this.count++;
    return this.device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  }
}
