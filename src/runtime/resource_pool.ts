// The pooling both GPU resource pools share (buffer_pool.ts, texture_view.ts): free lists by size class, bytes in
// use and allocated, and a bounded idle set. A training step asks for the same size classes every step, so after the
// first one every request is served from a free list and GPU memory stays flat.

export abstract class ResourcePool<R> {
  private readonly free = new Map<number, R[]>();
  protected inUseBytes = 0;
  protected allocatedBytes = 0;
  protected count = 0;
  /**
   * Idle bytes the pool may hold whatever is in use. Above both this and the bytes in use, a request that needs a
   * new resource first frees every idle one: steps of one shape reuse theirs and never trim, while steps whose
   * shapes vary (dynamic padding, skipped padding) cannot grow the pool without bound: at every allocation,
   * allocated ≤ in use + max(in use, this) + the new resource.
   */
  idleFloorBytes = 64 * 2 ** 20;

  /** beforeTrim: submits pending work (an idle resource may still be used by encoded, unsubmitted commands). */
  constructor(private readonly beforeTrim: () => void = () => {}) {}

  /** A resource of size class `key`, from the free list or new. */
  protected take(key: number): R {
    let r = this.free.get(key)?.pop();
    if (r === undefined) {
      if (this.allocatedBytes - this.inUseBytes > Math.max(this.inUseBytes, this.idleFloorBytes)) {
        this.beforeTrim();
        this.trim();
      }
      r = this.create(key);
      this.allocatedBytes += this.bytes(r);
      this.count++;
    }
    this.inUseBytes += this.bytes(r);
    return r;
  }

  /** Returns a resource to its free list. */
  protected give(r: R): void {
    this.inUseBytes -= this.bytes(r);
    const key = this.key(r);
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(r);
  }

  /** Frees every idle resource. Pending commands must be submitted first. */
  trim(): void {
    for (const list of this.free.values()) {
      for (const r of list) {
        this.allocatedBytes -= this.bytes(r);
        this.count--;
        this.destroy(r);
      }
    }
    this.free.clear();
  }

  protected abstract create(key: number): R;
  protected abstract destroy(r: R): void;
  /** The size class a resource belongs to. */
  protected abstract key(r: R): number;
  protected abstract bytes(r: R): number;
}
