// A Hub repo as a FileSource in Node: what `pipeline('…', 'user/model')` and `fromPretrained('user/model')` read
// when the string is a Hub id and no such local path exists (transformers.js and HF transformers resolve it the same
// way). Each file comes through the Hugging Face cache (shared with Python): fetched from the Hub into it when
// missing, unless offline (HF_HUB_OFFLINE=1), and taken from it alone when the Hub cannot be reached.
import { promises as fs } from 'node:fs';
import type { FileSource, SourceOptions } from '../platform/types.js';
import { decodeUtf8 } from './files.js';
import { HubUnavailableError, openSession, type HubOptions, type HubProgress, type Session } from './hub.js';
import { progressReporter } from './progress.js';
import { env as hubEnv, hubFileUrl } from './hub_url.js';

export class HubRepoFileSource implements FileSource {
  private session?: Promise<Session>;
  /** Files whose `download` event was sent. */
  private readonly downloading = new Set<string>();
  private readonly revision: string;

  /** id: "user/model" (or a legacy "model"); options: revision and progress events, plus the Hub's own options. */
  constructor(
    readonly id: string,
    private readonly options: SourceOptions & HubOptions = {},
  ) {
    this.revision = options.revision ?? 'main';
  }

  /** The file's Hub URL (errors name it; the cached copy's path is in the HF cache). */
  describe(name: string): string {
    const host = this.options.endpoint ?? (this.options.env ?? process.env).HF_ENDPOINT ?? hubEnv.remoteHost;
    return hubFileUrl({ host, type: 'model' }, this.id, this.revision, name);
  }

  async exists(name: string): Promise<boolean> {
    if ((await this.fetch(name, false)) !== undefined) return true;
    // Offline (or the Hub unreachable) with no snapshot of the repo cached at all: the repo, not this file, is what
    // is missing, and HubUnavailableError says where it looked and what to do.
    try {
      (await this.open()).dir();
    } catch (err) {
      if (err instanceof HubUnavailableError) throw err;
    }
    return false;
  }

  async readBytes(name: string): Promise<Uint8Array> {
    const path = (await this.fetch(name, true))!;
    return new Uint8Array(await fs.readFile(path));
  }

  async readText(name: string): Promise<string> {
    return decodeUtf8(await this.readBytes(name), this.describe(name));
  }

  /** The file's path in the cache (downloaded first when needed); undefined when the repo lacks it and !required. */
  private async fetch(name: string, required: boolean): Promise<string | undefined> {
    const session = await this.open();
    return required ? session.require(name) : session.get(name);
  }

  private open(): Promise<Session> {
    this.session ??= openSession(this.id, 'model', {
      ...this.options,
      revision: this.revision,
      onProgress: (p) => this.downloaded(p),
    });
    return this.session;
  }

  /**
   * Bytes of a file arrived. `initiate` and `done` come from withLoadProgress (progress.ts), as for every source; a
   * download adds `download` and then `progress` as its bytes arrive (a file already in the cache has neither).
   */
  private downloaded(p: HubProgress): void {
    this.options.onProgress?.(p);
    const report = this.options.progressCallback;
    if (!report) return;
    if (!this.downloading.has(p.file)) {
      this.downloading.add(p.file);
      report({ status: 'download', name: this.id, file: p.file });
    }
    progressReporter(report, this.id, p.file)!(p.loaded, p.total ?? 0);
  }
}
