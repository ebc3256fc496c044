// Writing files on a Node file system so that a failure never leaves a half-written model: each file goes to a
// temporary (fsynced) next to its final name, and only a complete set is renamed into place. Every error names
// the path it was writing ("ENOSPC: no space left on device, write" alone does not). Node-only.
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';

/** Marks temporaries: `<name>.tmp-<pid>`; readers never list them, and a later run deletes leftovers. */
export const TMP_MARK = '.tmp-';

const WHY: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
};

/** Awaits a file-system operation on `path`; a failure becomes "cannot write <path>: <why> (<code>)". */
export async function onPath<T>(op: Promise<T>, path: string): Promise<T> {
  try {
    return await op;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (!err.code) throw e;
    throw Object.assign(new Error(`cannot write ${path}: ${WHY[err.code] ?? err.message} (${err.code})`), {
      code: err.code,
      path,
    });
  }
}

/** Writes `bytes` to `path` and fsyncs it (its folder is created when missing). */
export async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  await onPath(fs.mkdir(dirname(path), { recursive: true }), dirname(path));
  const fh = await onPath(fs.open(path, 'w'), path);
  try {
    await onPath(fh.writeFile(bytes), path);
    await onPath(fh.sync(), path);
  } finally {
    await fh.close();
  }
}

/**
 * files → `dir`, as one unit: all are written to temporaries first and renamed over the old files only once every
 * one is complete. A failed write (disk full) removes the temporaries and leaves the previous files intact; a
 * kill between the renames leaves whole files, each old or new.
 */
export async function writeFilesAtomically(dir: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  await onPath(fs.mkdir(dir, { recursive: true }), dir);
  const temps: Array<[tmp: string, path: string]> = [];
  try {
    for (const [file, bytes] of files) {
      const path = join(dir, file);
      temps.push([`${path}${TMP_MARK}${process.pid}`, path]);
      await writeSynced(temps.at(-1)![0], bytes);
    }
  } catch (e) {
    for (const [tmp] of temps) await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  for (const [tmp, path] of temps) await onPath(fs.rename(tmp, path), path);
  await syncDir(dir);
}

/** fsync a directory so the rename itself is durable (best effort: not every platform allows it). */
export async function syncDir(path: string): Promise<void> {
  try {
    const fh = await fs.open(path, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* Windows cannot open directories: the rename is still atomic there */
  }
}
