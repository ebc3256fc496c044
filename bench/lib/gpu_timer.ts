// GPU time of the dispatches a piece of code encodes: timestamp queries around each dispatch where the device has
// `timestamp-query` (one compute pass per dispatch while timing), else queue completion (wall time from a flushed,
// idle queue until onSubmittedWorkDone after the code's work). Installs itself as runtime().profiler while timing.
import type { Runtime } from '../../src/index.js';

export type TimerMode = 'timestamp' | 'queue';

export interface KernelTime {
  name: string;
  ms: number;
}

const QUERY_CAPACITY = 4096;

export class GpuTimer {
  readonly mode: TimerMode;
  /** Query sets of QUERY_CAPACITY timestamps each; more are created when a timed region has many dispatches. */
  private readonly sets: GPUQuerySet[] = [];
  private resolveBuf: GPUBuffer | undefined;
  private readBuf: GPUBuffer | undefined;
  private names: string[] = [];
  private results: KernelTime[] = [];
  private used = 0;

  constructor(
    private readonly rt: Runtime,
    force?: TimerMode,
  ) {
    this.mode = force ?? (rt.features.has('timestamp-query') ? 'timestamp' : 'queue');
    if (this.mode === 'timestamp') {
      const d = rt.device;
      this.resolveBuf = d.createBuffer({
        size: QUERY_CAPACITY * 8,
        usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      });
      this.readBuf = d.createBuffer({
        size: QUERY_CAPACITY * 8,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
    }
  }

  /** Runs `fn` (which encodes GPU work) and returns the GPU milliseconds it took, per dispatch when timestamped. */
  async time(fn: () => void | Promise<void>): Promise<{ ms: number; kernels: KernelTime[] }> {
    const rt = this.rt;
    await rt.sync();
    this.results = [];
    if (this.mode === 'queue') {
      const names: string[] = [];
      const prev = rt.profiler;
      rt.profiler = { onDispatch: (n) => names.push(n) };
      const t0 = performance.now();
      try {
        await fn();
        await rt.sync();
      } finally {
        rt.profiler = prev;
      }
      const ms = performance.now() - t0;
      return { ms, kernels: names.map((name) => ({ name, ms: ms / names.length })) };
    }
    const prev = rt.profiler;
    rt.profiler = {
      onDispatch: () => {},
      timestampWrites: (name) => {
        const set = Math.floor(this.used / QUERY_CAPACITY);
        while (this.sets.length <= set)
          this.sets.push(rt.device.createQuerySet({ type: 'timestamp', count: QUERY_CAPACITY }));
        const i = this.used % QUERY_CAPACITY;
        this.used += 2;
        this.names.push(name);
        return { querySet: this.sets[set], beginningOfPassWriteIndex: i, endOfPassWriteIndex: i + 1 };
      },
    };
    try {
      await fn();
      await this.drain();
    } finally {
      rt.profiler = prev;
    }
    const ms = this.results.reduce((s, k) => s + k.ms, 0);
    return { ms, kernels: this.results };
  }

  /** Resolves the queries written so far into results (call between chunks of a long timed region). */
  async drain(): Promise<void> {
    const rt = this.rt;
    rt.flush();
    let pair = 0;
    for (let set = 0; set * QUERY_CAPACITY < this.used; set++) {
      const count = Math.min(QUERY_CAPACITY, this.used - set * QUERY_CAPACITY);
      const enc = rt.device.createCommandEncoder();
      enc.resolveQuerySet(this.sets[set], 0, count, this.resolveBuf!, 0);
      enc.copyBufferToBuffer(this.resolveBuf!, 0, this.readBuf!, 0, count * 8);
      rt.device.queue.submit([enc.finish()]);
      await this.readBuf!.mapAsync(GPUMapMode.READ, 0, count * 8);
      const t = new BigInt64Array(this.readBuf!.getMappedRange(0, count * 8).slice(0));
      this.readBuf!.unmap();
      for (let i = 0; i < count / 2; i++, pair++) {
        const ns = Number(t[2 * i + 1] - t[2 * i]);
        this.results.push({ name: this.names[pair], ms: Math.max(0, ns) / 1e6 });
      }
    }
    this.used = 0;
    this.names = [];
  }

  destroy(): void {
    for (const q of this.sets) q.destroy();
    this.resolveBuf?.destroy();
    this.readBuf?.destroy();
  }
}
