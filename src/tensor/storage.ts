// A pooled GPU buffer shared by a tensor and its views (reshape), freed when the last one lets go.
import { runtime } from '../runtime/device.js';

export class Storage {
  private refs = 1;
  constructor(
    readonly buffer: GPUBuffer,
    /** Bytes the tensor data occupies (the pooled buffer may be larger). */
    readonly byteLength: number,
  ) {}

  static allocate(byteLength: number): Storage {
    return new Storage(runtime().pool.acquire(Math.max(4, byteLength)), byteLength);
  }

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (--this.refs === 0) runtime().pool.release(this.buffer);
  }

  get alive(): boolean {
    return this.refs > 0;
  }
}
