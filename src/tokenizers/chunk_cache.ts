// A cache from chunks of text to their ids that is probed with a *range* of the input string, so the
// hot loop never allocates a substring or makes V8 hash one: the caller hashes the characters while
// it scans them anyway (FNV-1a over UTF-16 units) and the table compares candidates with startsWith.

/** hash: FNV-1a step for one UTF-16 unit; start from FNV_OFFSET. */
export const FNV_OFFSET = 0x811c9dc5;
export function fnvStep(hash: number, unit: number): number {
  return Math.imul(hash ^ unit, 0x01000193);
}

export class ChunkCache {
  private slots: Int32Array; // entry index + 1 per slot, 0 = empty (open addressing, linear probing)
  private hashes: number[] = [];
  private keys: string[] = [];
  private values: number[][] = [];

  /** limit: entries kept before the cache is emptied and refilled (bounds memory on endless input). */
  constructor(private readonly limit = 1 << 18) {
    this.slots = new Int32Array(1 << 12);
  }

  get size(): number {
    return this.keys.length;
  }

  /** text[start, end) with its precomputed hash → cached ids, or undefined. */
  find(hash: number, text: string, start: number, end: number): number[] | undefined {
    const mask = this.slots.length - 1;
    const len = end - start;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const e = this.slots[s]! - 1;
      if (e < 0) return undefined;
      if (this.hashes[e] === hash) {
        const key = this.keys[e]!;
        if (key.length === len && text.startsWith(key, start)) return this.values[e];
      }
    }
  }

  /** key (hashed as `hash`) → ids; the caller has checked that it is absent. */
  insert(hash: number, key: string, ids: number[]): void {
    if (this.keys.length >= this.limit) this.clear();
    if ((this.keys.length + 1) * 2 > this.slots.length) this.grow();
    this.hashes.push(hash);
    this.keys.push(key);
    this.values.push(ids);
    this.place(hash, this.keys.length);
  }

  clear(): void {
    this.slots = new Int32Array(1 << 12);
    this.hashes = [];
    this.keys = [];
    this.values = [];
  }

  private place(hash: number, entryPlusOne: number): void {
    const mask = this.slots.length - 1;
    let s = hash & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = entryPlusOne;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let e = 0; e < this.hashes.length; e++) this.place(this.hashes[e]!, e + 1);
  }
}
