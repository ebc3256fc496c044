// Model and dataset resolution: a local path is used as is; a Hub id ("distilbert/distilbert-base-uncased")
// is looked up in the Hugging Face cache (shared with Python) and, unless offline, fetched from the Hub
// into that cache. Node-only: the browser gets files through a FileSource instead.
// Network access happens only here, and only when asked for by id with offline mode off.

import { promises as fs } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { RepoCache, defaultCacheDir, offlineFromEnv, pathExists } from './hub_cache.js';
import { HubHttpError, downloadToBlob, headRemoteFile, type HubProgress, type RemoteFile } from './hub_download.js';
import { shardFileNames } from './safetensors_sharded.js';
import {
  HUB_ALIASES as ALIASES,
  MODEL_OPTIONAL_FILES,
  MODEL_REQUIRED_FILES,
  env as hubEnv,
  hubFileUrl,
  isHubId,
  type RepoType,
} from './hub_url.js';

export { HubHttpError, HubIntegrityError, type HubProgress } from './hub_download.js';
export { defaultCacheDir, offlineFromEnv, repoFolderName } from './hub_cache.js';
export { env, hubFileUrl, isHubId, type HubLocation, type RepoType } from './hub_url.js';

export interface HubOptions {
  /** Hub cache directory (default: $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub). */
  cacheDir?: string;
  /** Never use the network (default: $HF_HUB_OFFLINE). */
  offline?: boolean;
  /** Branch, tag or commit (default "main"). */
  revision?: string;
  /** Hub URL (default: $HF_ENDPOINT, else env.remoteHost: https://huggingface.co). */
  endpoint?: string;
  /** Access token for gated/private repos (default: $HF_TOKEN). */
  token?: string;
  /** Called as bytes of each downloaded file arrive. */
  onProgress?: (p: HubProgress) => void;
  /** Environment to read HF_* variables from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface ResolveModelOptions extends HubOptions {
  /** Exactly these files, all required, instead of the default DistilBERT set. */
  files?: readonly string[];
}

export interface ResolveDatasetOptions extends HubOptions {
  /** Files inside the dataset repo (default: known for imdb / stanfordnlp/imdb). */
  files?: readonly string[];
}

/** A dataset's local files: `files` are absolute paths, in the order asked for. */
export interface ResolvedDataset {
  dir: string;
  files: string[];
}

/** The files could not be had: offline (or no network) and not in the cache. One paragraph says what to do. */
export class HubUnavailableError extends Error {
  override readonly name = 'HubUnavailableError';
  constructor(
    readonly id: string,
    /** Files that were required and are missing. */
    readonly lookedFor: readonly string[],
    /** Cache folders searched. */
    readonly where: readonly string[],
    /** Why the network was not used: offline mode, or the request failed. */
    readonly reason: string,
    readonly repoType: RepoType = 'model',
  ) {
    const cli = `huggingface-cli download ${repoType === 'dataset' ? '--repo-type dataset ' : ''}${id}`;
    super(
      `Cannot load ${repoType} "${id}": ${reason}, and ${lookedFor.join(', ')} ${lookedFor.length === 1 ? 'is' : 'are'} not in the ` +
        `Hugging Face cache (looked in ${where.join(' and ')}). Download ${lookedFor.length === 1 ? 'it' : 'them'} once with ` +
        `network access (without HF_HUB_OFFLINE=1), or with Python (${cli}), or set HF_HUB_CACHE / ` +
        `HF_HOME to a cache that has ${lookedFor.length === 1 ? 'it' : 'them'}, or pass the path of a local directory instead of an id.`,
    );
  }
}

const IMDB_FILES = ['plain_text/train-00000-of-00001.parquet', 'plain_text/test-00000-of-00001.parquet'];
const KNOWN_DATASET_FILES: Record<string, readonly string[]> = { 'stanfordnlp/imdb': IMDB_FILES };

/** id or path → a directory holding config.json, the safetensors weights (single or sharded) and the tokenizer files present in the repo. */
export async function resolveModelDir(idOrPath: string, options: ResolveModelOptions = {}): Promise<string> {
  if (await pathExists(idOrPath)) return resolve(idOrPath);
  const session = await openSession(idOrPath, 'model', options);
  const missing = new MissingFiles();
  if (options.files) {
    for (const f of options.files) await missing.try(() => session.require(f));
  } else {
    for (const f of MODEL_REQUIRED_FILES) await missing.try(() => session.require(f));
    if (!(await session.get('model.safetensors'))) {
      const index = await session.get('model.safetensors.index.json');
      if (!index) {
        await missing.try(() => session.require('model.safetensors')); // names the single-file weights as missing
      } else {
        for (const shard of await shardNames(index)) await missing.try(() => session.require(shard));
      }
    }
    for (const f of MODEL_OPTIONAL_FILES) await session.get(f);
  }
  missing.throwIfAny();
  return session.dir();
}

/** Gathers HubUnavailableErrors so that one error names every missing file, not just the first. */
class MissingFiles {
  private first?: HubUnavailableError;
  private files: string[] = [];
  async try(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof HubUnavailableError)) throw err;
      this.first ??= err;
      this.files.push(...err.lookedFor);
    }
  }
  throwIfAny(): void {
    if (this.first)
      throw new HubUnavailableError(
        this.first.id,
        this.files,
        this.first.where,
        this.first.reason,
        this.first.repoType,
      );
  }
}

/** id or path → the dataset's files on disk (a local path: itself, as `files[0]` when it is a file). */
export async function resolveDatasetFiles(
  idOrPath: string,
  options: ResolveDatasetOptions = {},
): Promise<ResolvedDataset> {
  if (await pathExists(idOrPath)) {
    const p = resolve(idOrPath);
    return (await fs.stat(p)).isDirectory() ? { dir: p, files: [] } : { dir: resolve(p, '..'), files: [p] };
  }
  const session = await openSession(idOrPath, 'dataset', options);
  const files = options.files ?? KNOWN_DATASET_FILES[ALIASES[idOrPath] ?? idOrPath];
  if (!files) {
    throw new Error(
      `resolveDatasetFiles: no default file list for dataset "${idOrPath}"; pass files (paths inside the repo, e.g. "plain_text/train-00000-of-00001.parquet")`,
    );
  }
  const out: string[] = [];
  const missing = new MissingFiles();
  for (const f of files) await missing.try(async () => out.push(await session.require(f)));
  missing.throwIfAny();
  return { dir: session.dir(), files: out };
}

/** model.safetensors.index.json path → the distinct shard file names of its weight_map, sorted. */
async function shardNames(indexPath: string): Promise<string[]> {
  return shardFileNames(await fs.readFile(indexPath, 'utf8'), indexPath);
}

export interface Session {
  /** file → local path; a missing file is an error (HubUnavailableError offline, HubHttpError 404 online). */
  require(file: string): Promise<string>;
  /** file → local path, or undefined when the repo does not have it (optional files). */
  get(file: string): Promise<string | undefined>;
  /** The snapshot directory the files are in. */
  dir(): string;
}

export async function openSession(id: string, type: RepoType, options: HubOptions): Promise<Session> {
  if (!isHubId(id) || isAbsolute(id)) {
    throw new Error(
      `"${id}" is neither an existing path nor a Hugging Face Hub id (such as distilbert/distilbert-base-uncased)`,
    );
  }
  const env = options.env ?? process.env;
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const revision = options.revision ?? 'main';
  // Look in the cache under the id as given and under its alias, as a Python user may have used either.
  const names = [id, ...(ALIASES[id] ? [ALIASES[id]!] : []), ...Object.keys(ALIASES).filter((k) => ALIASES[k] === id)];
  const caches = names.map((n) => new RepoCache(cacheDir, n, type));
  const offline = options.offline ?? offlineFromEnv(env);
  const cached = new CachedRepo(id, caches, revision);
  if (offline) return cached.withReason('offline mode is on (HF_HUB_OFFLINE=1 or offline: true)');
  const endpoint = options.endpoint ?? env.HF_ENDPOINT ?? hubEnv.remoteHost;
  return new OnlineRepo(id, type, caches[0]!, revision, endpoint, options, env, cached);
}

/** Files from the cache only: refs/<revision> → snapshots/<commit>. */
class CachedRepo implements Session {
  private reason = 'offline mode is on';
  private found?: { cache: RepoCache; commit: string };
  constructor(
    private readonly id: string,
    private readonly caches: readonly RepoCache[],
    private readonly revision: string,
  ) {}

  withReason(reason: string): this {
    this.reason = reason;
    return this;
  }

  async get(file: string): Promise<string | undefined> {
    // Once a snapshot served a file, the rest come from the same one: never a mix of two repos.
    if (this.found) return this.found.cache.snapshotFile(this.found.commit, file);
    for (const cache of this.caches) {
      const commit = await cache.commitFor(this.revision);
      if (!commit) continue;
      const p = await cache.snapshotFile(commit, file);
      if (p) {
        this.found ??= { cache, commit };
        return p;
      }
    }
    return undefined;
  }

  async require(file: string): Promise<string> {
    const p = await this.get(file);
    if (p) return p;
    const where = this.found
      ? [this.found.cache.snapshotDir(this.found.commit)]
      : this.caches.map((c) => join(c.root, 'snapshots', `<refs/${this.revision}>`));
    throw new HubUnavailableError(this.id, [file], where, this.reason, this.caches[0]!.type);
  }

  dir(): string {
    if (!this.found)
      throw new HubUnavailableError(
        this.id,
        ['any file'],
        this.caches.map((c) => c.root),
        this.reason,
        this.caches[0]!.type,
      );
    return this.found.cache.snapshotDir(this.found.commit);
  }
}

/** Files from the Hub, through the cache; falls back to the cache alone when the network fails. */
class OnlineRepo implements Session {
  private commit?: string;
  private fallback = false;
  constructor(
    private readonly id: string,
    private readonly type: RepoType,
    private readonly cache: RepoCache,
    private readonly revision: string,
    private readonly endpoint: string,
    private readonly options: HubOptions,
    private readonly env: NodeJS.ProcessEnv,
    private readonly cached: CachedRepo,
  ) {}

  async get(file: string): Promise<string | undefined> {
    if (this.fallback) return this.cached.get(file);
    // Pin later files to the commit the first one resolved to, so one snapshot is never a mix of two.
    const rev = this.commit ?? this.revision;
    if (this.commit && (await this.cache.knownMissing(this.commit, file))) return undefined;
    let remote: RemoteFile;
    try {
      remote = await headRemoteFile(this.url(rev, file), this.http());
    } catch (err) {
      if (err instanceof HubHttpError) {
        if (err.status !== 404) throw err;
        if (this.commit) await this.cache.markMissing(this.commit, file);
        return undefined;
      }
      // No network (DNS, refused, timeout): use what the cache has, as huggingface_hub does.
      this.fallback = true;
      this.cached.withReason(`the Hub could not be reached (${describeNetworkError(err)})`);
      return this.cached.get(file);
    }
    this.commit ??= remote.commit;
    await this.cache.writeRef(this.revision, remote.commit);
    const existing = await this.cache.snapshotFile(remote.commit, file);
    if (existing) return existing;
    const blob = this.cache.blobPath(remote.etag);
    if (!(await pathExists(blob))) {
      await fs.mkdir(join(this.cache.root, 'blobs'), { recursive: true });
      await downloadToBlob(remote, blob, file, { ...this.http(), onProgress: this.options.onProgress });
    }
    return this.cache.linkIntoSnapshot(remote.commit, file, remote.etag);
  }

  async require(file: string): Promise<string> {
    const p = await this.get(file);
    if (p) return p;
    if (this.fallback) return this.cached.require(file);
    throw new HubHttpError(
      this.url(this.commit ?? this.revision, file),
      404,
      `"${file}" is not in ${this.type} repo ${this.id}`,
    );
  }

  dir(): string {
    if (this.fallback) return this.cached.dir();
    if (!this.commit) throw new Error(`no files were resolved for ${this.id}`);
    return this.cache.snapshotDir(this.commit);
  }

  private url(rev: string, file: string): string {
    return hubFileUrl({ host: this.endpoint, type: this.type }, this.id, rev, file);
  }

  private http(): { token?: string } {
    const token = this.options.token ?? this.env.HF_TOKEN;
    return token ? { token } : {};
  }
}

function describeNetworkError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
