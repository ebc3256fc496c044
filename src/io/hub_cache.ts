// The Hugging Face cache layout, shared with Python's huggingface_hub so downloads are reused both ways:
//   <cache>/models--org--name/refs/<revision>            text file holding the commit hash
//   <cache>/models--org--name/snapshots/<commit>/<file>  symlink to ../../blobs/<etag>
//   <cache>/models--org--name/blobs/<etag>               the bytes (<etag>.incomplete while downloading)
//   <cache>/models--org--name/.no_exist/<commit>/<file>  empty marker: the file is not in the repo
// Datasets use datasets--org--name. Node-only.

import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { RepoType } from './hub_url.js';

export type { RepoType } from './hub_url.js';

/** env → the hub cache directory: $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE; // older huggingface_hub name
  if (env.HF_HOME) return join(env.HF_HOME, 'hub');
  const xdg = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'huggingface', 'hub');
}

/** env → true when HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) is set to 1/true/yes/on, as huggingface_hub reads it. */
export function offlineFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const on = (v: string | undefined): boolean =>
    v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase());
  return on(env.HF_HUB_OFFLINE) || on(env.TRANSFORMERS_OFFLINE);
}

/** "org/name", type → "models--org--name" / "datasets--org--name". */
export function repoFolderName(id: string, type: RepoType): string {
  return `${type === 'model' ? 'models' : 'datasets'}--${id.split('/').join('--')}`;
}

export const COMMIT_RE = /^[0-9a-f]{40}$/;

/** A repo's folder in the cache, with the reads and writes the resolver needs. */
export class RepoCache {
  readonly root: string;
  constructor(
    cacheDir: string,
    readonly id: string,
    readonly type: RepoType,
  ) {
    this.root = join(cacheDir, repoFolderName(id, type));
  }

  /** revision (branch, tag or commit) → commit hash from refs/<revision>, or the revision itself when it is a commit. */
  async commitFor(revision: string): Promise<string | undefined> {
    if (COMMIT_RE.test(revision)) return revision;
    try {
      const commit = (await fs.readFile(this.refPath(revision), 'utf8')).trim();
      return COMMIT_RE.test(commit) ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  refPath(revision: string): string {
    return join(this.root, 'refs', revision);
  }

  snapshotDir(commit: string): string {
    return join(this.root, 'snapshots', commit);
  }

  blobPath(etag: string): string {
    return join(this.root, 'blobs', etag);
  }

  /** commit, file → the snapshot path when that file is there (a dangling symlink counts as missing). */
  async snapshotFile(commit: string, file: string): Promise<string | undefined> {
    const p = join(this.snapshotDir(commit), file);
    return (await isFile(p)) ? p : undefined;
  }

  /** True when Python (or we) recorded that `file` does not exist at `commit`. */
  async knownMissing(commit: string, file: string): Promise<boolean> {
    return isFile(join(this.root, '.no_exist', commit, file));
  }

  async markMissing(commit: string, file: string): Promise<void> {
    const p = join(this.root, '.no_exist', commit, file);
    await fs.mkdir(dirname(p), { recursive: true });
    await fs.writeFile(p, '');
  }

  /** Record refs/<revision> = commit, unless the revision is itself a commit (as huggingface_hub does). */
  async writeRef(revision: string, commit: string): Promise<void> {
    if (revision === commit) return;
    const p = this.refPath(revision);
    await fs.mkdir(dirname(p), { recursive: true });
    let current: string | undefined;
    try {
      current = (await fs.readFile(p, 'utf8')).trim();
    } catch {
      current = undefined;
    }
    if (current !== commit) await fs.writeFile(p, commit);
  }

  /** Make snapshots/<commit>/<file> point at blobs/<etag>: a relative symlink, or a copy where symlinks fail (Windows without rights). */
  async linkIntoSnapshot(commit: string, file: string, etag: string): Promise<string> {
    const dest = join(this.snapshotDir(commit), file);
    const blob = this.blobPath(etag);
    await fs.mkdir(dirname(dest), { recursive: true });
    await fs.rm(dest, { force: true });
    try {
      await fs.symlink(relative(dirname(dest), blob), dest);
    } catch {
      await fs.copyFile(blob, dest);
    }
    return dest;
  }
}

export async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

export async function pathExists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}
