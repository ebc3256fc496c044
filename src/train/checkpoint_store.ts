// Where the Trainer's files go: an output directory of checkpoint folders plus the final model at its root.
// The Trainer only sees this interface, so it runs in a browser tab (MemoryCheckpointStore, or one backed by
// OPFS/IndexedDB) as well as in Node (NodeCheckpointStore in checkpoint_store_node.ts, the only file using node:fs).

export type FileMap = Map<string, Uint8Array>;

export interface CheckpointStore {
  /** Human-readable location of `dir` (a checkpoint name or '' for the output root), for messages. */
  describe(dir?: string): string;
  /**
   * Writes `files` as folder `name` of the output directory, all or nothing: a crash (or kill -9) at any moment
   * leaves either the previous state or the complete folder. An existing folder of that name is replaced.
   */
  writeFolder(name: string, files: FileMap): Promise<void>;
  /** Writes files at the output root (the final model); each file replaced whole. */
  writeRoot(files: FileMap): Promise<void>;
  /** Names of the complete folders (never half-written temporaries). */
  listFolders(): Promise<string[]>;
  /** A file of folder `dir` ('' = root; a path outside the output dir is allowed where the store has paths), or undefined. */
  readFile(dir: string, file: string): Promise<Uint8Array | undefined>;
  /** Deletes folder `name`. */
  removeFolder(name: string): Promise<void>;
  /** Deletes temporaries left by interrupted writes; returns their names. */
  removeStaleTemporaries(): Promise<string[]>;
}

/** Everything in memory: for browsers without persistent storage, and for tests. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly folders = new Map<string, FileMap>();
  readonly root: FileMap = new Map();

  constructor(private readonly label = 'memory') {}

  describe(dir = ''): string {
    return dir ? `${this.label}/${dir}` : this.label;
  }

  async writeFolder(name: string, files: FileMap): Promise<void> {
    // Copy first, then swap in: the map is replaced in one assignment, like a rename.
    this.folders.set(name, new Map(files));
  }

  async writeRoot(files: FileMap): Promise<void> {
    for (const [k, v] of files) this.root.set(k, v);
  }

  async listFolders(): Promise<string[]> {
    return [...this.folders.keys()];
  }

  async readFile(dir: string, file: string): Promise<Uint8Array | undefined> {
    return dir === '' ? this.root.get(file) : this.folders.get(stripPrefix(dir, this.label))?.get(file);
  }

  async removeFolder(name: string): Promise<void> {
    this.folders.delete(name);
  }

  async removeStaleTemporaries(): Promise<string[]> {
    return [];
  }
}

function stripPrefix(dir: string, label: string): string {
  return dir.startsWith(`${label}/`) ? dir.slice(label.length + 1) : dir;
}

export const utf8 = {
  encode: (s: string): Uint8Array => new TextEncoder().encode(s),
  decode: (b: Uint8Array): string => new TextDecoder().decode(b),
};

let defaultFactory: ((outputDir: string) => CheckpointStore) | undefined;

/** Node registers a file-system store (src/train/node.ts); a browser passes `store` to the Trainer instead. */
export function setDefaultCheckpointStoreFactory(factory: (outputDir: string) => CheckpointStore): void {
  defaultFactory = factory;
}

export function defaultCheckpointStore(outputDir: string): CheckpointStore {
  if (!defaultFactory) {
    throw new Error(
      'Trainer: no checkpoint store is registered here (browser?). Pass `store` (e.g. new MemoryCheckpointStore()), or import webtune/train from Node.',
    );
  }
  return defaultFactory(outputDir);
}
