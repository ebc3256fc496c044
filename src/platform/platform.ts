// Everything that differs between Node and browsers, in one object: where the WebGPU implementation comes from, how
// GPU promises are awaited, how files are read and written, and where the Trainer checkpoints by default. The Node
// entry (src/index.ts) sets nodePlatform (platform_node.ts), the browser entry (src/browser.ts) browserPlatform
// (platform_browser.ts); the layers below read it through currentPlatform() and never import either.
import { describeValue } from '../util/check.js';
import type { CheckpointStore, FileSource, FileWriter, SourceOptions } from './types.js';

export interface Platform {
  /** 'node' or 'browser' (messages, tests). */
  readonly name: string;
  /** The WebGPU entry object (Dawn's GPU in Node, navigator.gpu in browsers), or undefined where there is none. */
  gpu(): Promise<GPU | undefined>;
  /** What a user of this environment can do when no adapter can be had (NoAdapterError's hint; default Node's). */
  readonly adapterHint?: string;
  /** How the runtime awaits a GPU promise (queue completion, buffer mapping). */
  waitGPU<T>(promise: Promise<T>): Promise<T>;
  /** A location as files: a directory in Node; a base URL or a Hub id in browsers. */
  openFiles(location: string, options: SourceOptions): FileSource;
  /** Writes a model directory (savePretrained); absent where there is no file system. */
  readonly writeFiles?: FileWriter;
  /** The Trainer's store for an output directory when it is given none; absent in browsers (pass `store`). */
  checkpointStore?(outputDir: string): CheckpointStore;
}

let current: Platform | undefined;

/**
 * Called once by the Node or browser entry; a program may call it again before any GPU or file work to change a
 * part, e.g. setPlatform({ ...browserPlatform, checkpointStore: (dir) => new MyOpfsStore(dir) }).
 */
export function setPlatform(platform: Platform): void {
  const p = platform as Partial<Platform> | null;
  const required = ['gpu', 'waitGPU', 'openFiles'] as const;
  if (p === null || typeof p !== 'object' || required.some((m) => typeof p[m] !== 'function')) {
    throw new TypeError(
      `setPlatform: expected a Platform (with ${required.join(', ')}), got ${describeValue(platform)}`,
    );
  }
  current = platform;
}

/** The platform the entry set, or undefined when neither entry was imported (each caller says what it needed). */
export function currentPlatform(): Platform | undefined {
  return current;
}
