// Per-adapter autotuning: for a (op, layout, shape class) key, time a handful of candidate kernel configs once and
// remember the fastest. Ops look the choice up synchronously (falling back to their heuristic default when the key
// was never tuned); tuning itself is async and explicit (benches, or an app's warm-up). The cache lives in memory;
// exportCache/importCache let a Node caller persist it (e.g. ~/.cache/webtune/autotune.json), keyed by adapter name
// so results from different machines never mix.
import type { Runtime } from './runtime.js';

export interface TuneCandidate {
  id: string;
  /** Encodes one call of the kernel with this config. */
  run(): void;
}

export interface TuneResult {
  key: string;
  choice: string;
  /** Milliseconds per call of each candidate (queue-completion timing, best of the repeats). */
  times: Record<string, number>;
}

/** Shape class: each dimension bucketed by its power of two, so nearby shapes share a choice. */
export function shapeClass(...dims: number[]): string {
  return dims.map((d) => (d <= 1 ? 1 : 2 ** Math.ceil(Math.log2(d)))).join('x');
}

export class Autotuner {
  private readonly choices = new Map<string, string>();

  key(rt: Runtime, op: string, detail: string): string {
    // The full description (vendor, architecture, device, driver): adapterName alone can be just the driver string.
    return `${rt.info.description}|${op}|${detail}`;
  }

  choice(key: string): string | undefined {
    return this.choices.get(key);
  }

  set(key: string, id: string): void {
    this.choices.set(key, id);
  }

  clear(): void {
    this.choices.clear();
  }

  exportCache(): Record<string, string> {
    return Object.fromEntries(this.choices);
  }

  importCache(entries: Record<string, string>): void {
    for (const [k, v] of Object.entries(entries)) if (typeof v === 'string') this.choices.set(k, v);
  }

  /**
   * Times every candidate (one warm-up call each, then `repeats` rounds in which every candidate runs once from an
   * idle queue, so load from other processes hits every candidate alike) and records the fastest (best of its
   * rounds) under `key`. A candidate that fails (e.g. a pipeline the adapter rejects) is skipped. `minMs`: keep adding
   * rounds (up to MAX_ROUNDS) until the rounds took that long, so short products get enough samples to see past a
   * noisy host.
   */
  async tune(rt: Runtime, key: string, candidates: TuneCandidate[], repeats = 2, minMs = 0): Promise<TuneResult> {
    const times: Record<string, number> = {};
    // Candidates still in the running: a failure (e.g. a pipeline the adapter rejects) rules one out for good.
    const live = new Set<TuneCandidate>();
    for (const c of candidates) {
      times[c.id] = Infinity;
      try {
        c.run();
        await rt.sync();
        live.add(c);
      } catch {
        /* ruled out */
      }
    }
    const start = performance.now();
    for (let r = 0; r < repeats || (r < MAX_ROUNDS && performance.now() - start < minMs); r++) {
      for (const c of live) {
        try {
          const t0 = performance.now();
          c.run();
          await rt.sync();
          times[c.id] = Math.min(times[c.id], performance.now() - t0);
        } catch {
          live.delete(c);
          times[c.id] = Infinity;
        }
      }
    }
    const choice = Object.entries(times).sort((x, y) => x[1] - y[1])[0]?.[0];
    if (choice !== undefined && Number.isFinite(times[choice])) this.choices.set(key, choice);
    return { key, choice: choice ?? '', times };
  }
}

/** Most rounds `tune` runs to fill its `minMs`. */
const MAX_ROUNDS = 8;

/** The process-wide autotuner. */
export const autotuner = new Autotuner();
