// HTTP side of the Hub resolver: the HEAD that tells commit/etag/size, and a resumable, verified
// download into blobs/<etag>. Node-only. Every loop here has a fixed bound (redirects, attempts).

import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';

export interface RemoteFile {
  /** X-Repo-Commit: the commit the revision resolved to. */
  commit: string;
  /** X-Linked-Etag (LFS: the sha256 of the content) or ETag (git blob sha1), without quotes or W/. */
  etag: string;
  /** X-Linked-Size or Content-Length, when the server said. */
  size?: number;
  /** URL to GET (after the Hub's relative redirects, e.g. a renamed repo). */
  url: string;
}

export interface HubProgress {
  file: string;
  loaded: number;
  total?: number;
}

export interface HttpOptions {
  token?: string;
  /** Abort a request that sends nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
}

/** The server answered, but not with the file (401/403/5xx…). `status` 404 means the file is not in the repo. */
export class HubHttpError extends Error {
  override readonly name = 'HubHttpError';
  constructor(
    readonly url: string,
    readonly status: number,
    detail: string,
  ) {
    super(`${url}: HTTP ${status}${detail ? ` (${detail})` : ''}`);
  }
}

/** The bytes arrived but are not the file the Hub described (size or sha256 differ). */
export class HubIntegrityError extends Error {
  override readonly name = 'HubIntegrityError';
  constructor(
    readonly url: string,
    readonly expected: string,
    readonly actual: string,
    what: string,
  ) {
    super(
      `${url}: downloaded ${what} ${actual} does not match the expected ${expected}; the partial file was deleted, try again`,
    );
  }
}

const MAX_REDIRECTS = 5;
const MAX_ATTEMPTS = 3;
const SHA256_RE = /^[0-9a-f]{64}$/;

function headersFor(options: HttpOptions, extra: Record<string, string> = {}): Record<string, string> {
  // identity: Content-Length must be the file's size, not a compressed transfer size.
  const h: Record<string, string> = { 'Accept-Encoding': 'identity', 'User-Agent': 'webtune', ...extra };
  if (options.token) h.Authorization = `Bearer ${options.token}`;
  return h;
}

function cleanEtag(raw: string | null): string | undefined {
  if (!raw) return undefined;
  return raw.replace(/^W\//, '').replace(/^"|"$/g, '');
}

/** resolve URL → what the Hub says about the file; 404 → HubHttpError(404). Follows only relative redirects, like huggingface_hub. */
export async function headRemoteFile(url: string, options: HttpOptions = {}): Promise<RemoteFile> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const res = await fetch(current, {
      method: 'HEAD',
      redirect: 'manual',
      headers: headersFor(options),
      signal: AbortSignal.timeout(options.idleTimeoutMs ?? 60_000),
    });
    const location = res.headers.get('location');
    // A relative redirect is the Hub itself (renamed repo, legacy id); an absolute one is the CDN, whose
    // 302 already carries the X-Linked-* headers we need.
    if (res.status >= 300 && res.status < 400 && location && location.startsWith('/')) {
      current = new URL(location, current).toString();
      continue;
    }
    if (res.status === 404) throw new HubHttpError(current, 404, res.headers.get('x-error-message') ?? 'not found');
    if (res.status === 401 || res.status === 403) {
      throw new HubHttpError(
        current,
        res.status,
        'no such repository, or it is gated or private: check the id, set HF_TOKEN, or accept its terms on the Hub',
      );
    }
    if (!(res.ok || (res.status >= 300 && res.status < 400)))
      throw new HubHttpError(current, res.status, res.statusText);
    const commit = res.headers.get('x-repo-commit');
    const etag = cleanEtag(res.headers.get('x-linked-etag') ?? res.headers.get('etag'));
    if (!commit || !etag) {
      throw new HubHttpError(
        current,
        res.status,
        'no X-Repo-Commit or ETag header: is HF_ENDPOINT a Hugging Face Hub?',
      );
    }
    const sizeHeader = res.headers.get('x-linked-size') ?? (res.ok ? res.headers.get('content-length') : null);
    const size = sizeHeader === null ? undefined : Number(sizeHeader);
    return { commit, etag, size: Number.isFinite(size) ? size : undefined, url: current };
  }
  throw new HubHttpError(url, 310, `more than ${MAX_REDIRECTS} redirects`);
}

/**
 * remote file → bytes at `dest` (renamed from `dest.incomplete` once complete and verified). A partial
 * `.incomplete` left by an earlier run is resumed with a Range request; a dropped connection is resumed
 * up to MAX_ATTEMPTS times. An etag that is a sha256 (LFS files) is checked against the content.
 */
export async function downloadToBlob(
  remote: RemoteFile,
  dest: string,
  file: string,
  options: HttpOptions & { onProgress?: (p: HubProgress) => void } = {},
): Promise<void> {
  const partial = `${dest}.incomplete`;
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let have = await sizeOf(partial);
    if (remote.size !== undefined && have === remote.size) break;
    if (remote.size !== undefined && have > remote.size) {
      await fs.truncate(partial, 0);
      have = 0;
    }
    try {
      await fetchInto(remote, partial, have, file, options);
      lastError = undefined;
      break;
    } catch (err) {
      // HTTP errors will not heal by retrying; a broken stream is resumed from what arrived.
      if (err instanceof HubHttpError) throw err;
      lastError = err;
    }
  }
  if (lastError !== undefined) throw lastError;
  await verify(remote, partial);
  await fs.rename(partial, dest);
}

async function fetchInto(
  remote: RemoteFile,
  partial: string,
  have: number,
  file: string,
  options: HttpOptions & { onProgress?: (p: HubProgress) => void },
): Promise<void> {
  const abort = new AbortController();
  const idleMs = options.idleTimeoutMs ?? 60_000;
  let timer = setTimeout(() => abort.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  const handle = await fs.open(partial, 'a');
  try {
    const res = await fetch(remote.url, {
      headers: headersFor(options, have > 0 ? { Range: `bytes=${have}-` } : {}),
      redirect: 'follow',
      signal: abort.signal,
    });
    let loaded = have;
    if (res.status === 206) {
      const start = /bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
      if (!start || Number(start[1]) !== have)
        throw new Error(`server resumed at the wrong offset (${res.headers.get('content-range')})`);
    } else if (res.ok) {
      // The server ignored Range: start over.
      await handle.truncate(0);
      loaded = 0;
    } else {
      throw new HubHttpError(remote.url, res.status, res.statusText);
    }
    if (!res.body) throw new Error('empty response body');
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      clearTimeout(timer);
      timer = setTimeout(() => abort.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
      await handle.write(value);
      loaded += value.length;
      options.onProgress?.({ file, loaded, total: remote.size });
    }
  } finally {
    clearTimeout(timer);
    await handle.close();
  }
}

async function verify(remote: RemoteFile, partial: string): Promise<void> {
  const size = await sizeOf(partial);
  if (remote.size !== undefined && size !== remote.size) {
    await fs.rm(partial, { force: true });
    throw new HubIntegrityError(remote.url, `${remote.size} bytes`, `${size} bytes`, 'size');
  }
  if (SHA256_RE.test(remote.etag)) {
    const digest = await sha256File(partial);
    if (digest !== remote.etag) {
      await fs.rm(partial, { force: true });
      throw new HubIntegrityError(remote.url, `sha256 ${remote.etag}`, `sha256 ${digest}`, 'content hash');
    }
  }
}

/** path → hex sha256 of the file, streamed (model weights can be hundreds of MB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await fs.stat(path)).size;
  } catch {
    return 0;
  }
}
