// A cache from chunks of text to their ids that is probed with a *range* of the input string, so the
// hot loop never allocates a substring or makes V8 hash one: the caller hashes the characters while
// it scans them anyway (FNV-1a over UTF-16 units) and the table compares candidates with startsWith.

/** hash: FNV-1a step for one UTF-16 unit; start from FNV_OFFSET. */
export const FNV_OFFSET = 0x811c9dc5;
export function fnvStep(hash: number, unit: number): number {
  return Math.imul(hash ^ unit, 0x01000193);
}

/** FNV's low bits mix poorly (a multiply only carries upwards), so fold the high bits in before masking. */
function slotOf(hash: number, mask: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & mask;
}

export class ChunkCache {
  private slots: Int32Array; // entry index + 1 per slot, 0 = empty (open addressing, linear probing)
  private hashes: number[] = [];
  private keys: string[] = [];
  private values: number[][] = [];

  constructor() {
    this.slots = new Int32Array(1 << 12);
  }

  get size(): number {
    return this.keys.length;
  }

  /** text[start, end) with its precomputed hash → cached ids, or undefined. */
  find(hash: number, text: string, start: number, end: number): number[] | undefined {
    const mask = this.slots.length - 1;
    const len = end - start;
    for (let s = slotOf(hash, mask); ; s = (s + 1) & mask) {
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
    let s = slotOf(hash, mask);
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = entryPlusOne;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let e = 0; e < this.hashes.length; e++) this.place(this.hashes[e]!, e + 1);
  }
}

/**
 * Two generations of ChunkCache, so memory stays bounded on endless input without forgetting the
 * frequent chunks: new entries go to `young`; when it is full it becomes `old` (the previous old one
 * is dropped), and a hit in `old` is copied back into `young`.
 */
export class GenerationalChunkCache {
  private young = new ChunkCache();
  private old = new ChunkCache();

  /** generationSize: entries per generation (at most twice this many are held). */
  constructor(private readonly generationSize = 1 << 17) {}

  get size(): number {
    return this.young.size + this.old.size;
  }

  find(hash: number, text: string, start: number, end: number): number[] | undefined {
    const ids = this.young.find(hash, text, start, end);
    if (ids !== undefined || this.old.size === 0) return ids;
    const aged = this.old.find(hash, text, start, end);
    if (aged !== undefined) this.insert(hash, text.slice(start, end), aged);
    return aged;
  }

  insert(hash: number, key: string, ids: number[]): void {
    if (this.young.size >= this.generationSize) {
      this.old = this.young;
      this.young = new ChunkCache();
    }
    this.young.insert(hash, key, ids);
  }
}
