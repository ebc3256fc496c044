// The CheckpointStore on a Node file system. Atomicity: a checkpoint is written into
// `<name>.tmp-<pid>` (each file fsynced), then renamed to `<name>` in one step; rename is atomic on POSIX, so a
// kill -9 at any moment leaves either no folder or a complete one. Leftover `.tmp-` folders are never listed and
// are deleted by removeStaleTemporaries (on resume). A failed write removes its temporaries and names the path.
import { promises as fs } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { CheckpointStore, FileMap } from './checkpoint_store.js';
import { onPath, syncDir, TMP_MARK, writeFilesAtomically, writeSynced } from '../io/write_node.js';

export class NodeCheckpointStore implements CheckpointStore {
  readonly dir: string;

  constructor(outputDir: string) {
    this.dir = resolve(outputDir);
  }

  describe(dir = ''): string {
    return this.folderPath(dir);
  }

  async writeFolder(name: string, files: FileMap): Promise<void> {
    const final = join(this.dir, name);
    const tmp = `${final}${TMP_MARK}${process.pid}`;
    try {
      await fs.rm(tmp, { recursive: true, force: true });
      await onPath(fs.mkdir(tmp, { recursive: true }), tmp);
      for (const [file, bytes] of files) await writeSynced(join(tmp, file), bytes);
      await syncDir(tmp);
    } catch (e) {
      // A failed write (disk full, permissions) leaves no partial folder behind; earlier checkpoints are untouched.
      await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
    // A folder of the same name (an older save of this step) is moved aside first: rename cannot replace a
    // non-empty directory, and between the two renames the old copy still exists under its .old name.
    const old = `${final}${TMP_MARK}old-${process.pid}`;
    const hadOld = await exists(final);
    if (hadOld) await onPath(fs.rename(final, old), final);
    await onPath(fs.rename(tmp, final), final);
    await syncDir(this.dir);
    if (hadOld) await fs.rm(old, { recursive: true, force: true });
  }

  /** The files at the output root, as one unit (a failed write leaves the previous files intact). */
  async writeRoot(files: FileMap): Promise<void> {
    await writeFilesAtomically(this.dir, files);
  }

  async listFolders(): Promise<string[]> {
    const entries = await fs.readdir(this.dir, { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory() && !e.name.includes(TMP_MARK)).map((e) => e.name);
  }

  async readFile(dir: string, file: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await fs.readFile(join(this.folderPath(dir), file)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** '' → the output dir; a bare name → a folder in it; a path (with a separator) → itself, from the cwd (HF's resume path). */
  private folderPath(dir: string): string {
    if (dir === '') return this.dir;
    return isAbsolute(dir) || /[\\/]/.test(dir) ? resolve(dir) : join(this.dir, dir);
  }

  async removeFolder(name: string): Promise<void> {
    await fs.rm(join(this.dir, name), { recursive: true, force: true });
  }

  async removeStaleTemporaries(): Promise<string[]> {
    const entries = await fs.readdir(this.dir, { withFileTypes: true }).catch(() => []);
    const stale = entries.filter((e) => e.name.includes(TMP_MARK)).map((e) => e.name);
    for (const name of stale) await fs.rm(join(this.dir, name), { recursive: true, force: true });
    return stale;
  }
}

async function exists(path: string): Promise<boolean> {
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}

/** A checkpoint path → (output dir, folder name), for resume_from_checkpoint given as a path. */
export function splitCheckpointPath(path: string): { outputDir: string; name: string } {
  const p = resolve(path);
  return { outputDir: dirname(p), name: basename(p) };
}
