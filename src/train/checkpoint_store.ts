// Where the Trainer's files go: an output directory of checkpoint folders plus the final model at its root. The
// Trainer only sees the CheckpointStore interface (src/platform/types.ts), so it runs in a browser tab
// (MemoryCheckpointStore here, or one backed by OPFS/IndexedDB) as well as in Node (NodeCheckpointStore in
// checkpoint_store_node.ts, the only file using node:fs; the Node platform's default).

import { currentPlatform } from '../platform/platform.js';
import type { CheckpointStore, FileMap } from '../platform/types.js';

export type { CheckpointStore, FileMap } from '../platform/types.js';

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

/** The platform's store for `outputDir` (Node: the file system); a browser passes `store` to the Trainer instead. */
export function defaultCheckpointStore(outputDir: string): CheckpointStore {
  const platform = currentPlatform();
  if (!platform?.checkpointStore) {
    throw new Error(
      'Trainer: no checkpoint store is registered here (browser?). Pass `store` (e.g. new MemoryCheckpointStore()), ' +
        'or import webtune from Node.',
    );
  }
  return platform.checkpointStore(outputDir);
}
