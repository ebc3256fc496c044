// A Hub repo as a FileSource in browsers: each file from {env.remoteHost}{env.remotePathTemplate}{file}, kept in
// the Cache API, so loading the same id and revision again makes no request at all. A file the repo does not have
// is remembered too (a cached 404, as huggingface_hub's .no_exist/ markers), since loaders probe for optional
// files. Browser-only (fetch, caches); the URL rules are shared with Node in hub_url.ts.

import { decodeUtf8, type FileSource, type SourceOptions } from './files.js';
import { readResponse } from './files_browser.js';
import { progressReporter } from './progress.js';
import { env, hubFileUrl, isHubId, type HubLocation } from './hub_url.js';

export class HubFileSource implements FileSource {
  readonly revision: string;
  /** Host and layout as env said when the source was made: one load never mixes two hosts. */
  private readonly where: HubLocation;
  private cache?: Promise<Cache | undefined>;

  /** id: "user/model"; revision: branch, tag or commit (default "main"). */
  constructor(
    readonly id: string,
    private readonly options: SourceOptions = {},
  ) {
    if (!isHubId(id)) {
      throw new Error(
        `"${id}" is not a Hugging Face Hub id (such as distilbert/distilbert-base-uncased-finetuned-sst-2-english)`,
      );
    }
    this.revision = options.revision ?? 'main';
    this.where = { host: env.remoteHost, pathTemplate: env.remotePathTemplate };
  }

  describe(file: string): string {
    return hubFileUrl(this.where, this.id, this.revision, file);
  }

  async exists(file: string): Promise<boolean> {
    const url = this.describe(file);
    const cached = (await this.cached(url)) ?? (await this.cached(existsKey(url)));
    if (cached) return cached.ok;
    const res = await fetch(url, { method: 'HEAD' });
    if (res.status === 404) await this.remember(url, notFound());
    else if (!res.ok) throw this.httpError(url, res.status);
    // A file that is there but never read (vocab.txt beside tokenizer.json): remembered under a key of its own, so
    // its body's key never holds an empty answer.
    else await this.remember(existsKey(url), new Response(null, { status: 200 }));
    return res.ok;
  }

  async readBytes(file: string): Promise<Uint8Array> {
    const url = this.describe(file);
    const cached = await this.cached(url);
    if (cached) {
      if (!cached.ok) throw this.httpError(url, cached.status);
      return new Uint8Array(await cached.arrayBuffer());
    }
    this.options.progressCallback?.({ status: 'download', name: this.id, file });
    const res = await fetch(url);
    if (!res.ok) {
      if (res.status === 404) await this.remember(url, notFound());
      throw this.httpError(url, res.status);
    }
    const bytes = await readResponse(res, progressReporter(this.options.progressCallback, this.id, file));
    const headers = {
      'Content-Type': res.headers.get('content-type') ?? 'application/octet-stream',
      'Content-Length': String(bytes.length),
    };
    await this.remember(url, new Response(bytes, { headers }));
    return bytes;
  }

  async readText(file: string): Promise<string> {
    return decodeUtf8(await this.readBytes(file), this.describe(file));
  }

  private httpError(url: string, status: number): Error {
    const why =
      status === 404
        ? `not in ${this.id} at revision ${this.revision}`
        : status === 401 || status === 403
          ? 'no such repository, or it is gated or private (the browser sends no token)'
          : 'the server refused it';
    return new Error(`${url}: HTTP ${status} (${why})`);
  }

  private async cached(url: string): Promise<Response | undefined> {
    return (await this.openCache())?.match(url);
  }

  private async remember(url: string, res: Response): Promise<void> {
    await (await this.openCache())?.put(url, res);
  }

  /** The Cache API cache, or undefined where there is none (disabled, insecure context, opaque origin). */
  private openCache(): Promise<Cache | undefined> {
    this.cache ??=
      env.useBrowserCache && typeof caches !== 'undefined'
        ? caches.open(env.cacheName).catch(() => undefined)
        : Promise.resolve(undefined);
    return this.cache;
  }
}

/** The cache key of "url exists" (the Cache API ignores fragments, so a query marks it). */
function existsKey(url: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}webtune-exists=1`;
}

function notFound(): Response {
  return new Response(null, { status: 404, statusText: 'Not Found' });
}
