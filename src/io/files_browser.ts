// The browser's FileSource: files under a base URL, fetched on demand. Imported only by the browser entry.
import { decodeUtf8, type FileSource } from './files.js';
import { progressReporter, type ProgressCallback } from './progress.js';

export class UrlFileSource implements FileSource {
  private readonly base: string;
  /** base: the directory's URL; progressCallback hears `download` and `progress` events, named `name` (default the base). */
  constructor(
    base: string,
    private readonly progressCallback?: ProgressCallback,
    private readonly name = base,
  ) {
    this.base = base.endsWith('/') ? base : `${base}/`;
  }
  describe(name: string): string {
    return this.base + name;
  }
  async exists(name: string): Promise<boolean> {
    const res = await fetch(this.base + name, { method: 'HEAD' });
    return res.ok;
  }
  async readBytes(file: string): Promise<Uint8Array> {
    this.progressCallback?.({ status: 'download', name: this.name, file });
    const res = await fetch(this.base + file);
    if (!res.ok) throw new Error(`${this.describe(file)}: HTTP ${res.status}`);
    return readResponse(res, progressReporter(this.progressCallback, this.name, file));
  }
  async readText(name: string): Promise<string> {
    return decodeUtf8(await this.readBytes(name), this.describe(name));
  }
}

/** A fetch response → its body's bytes, streamed when onBytes wants each chunk's running total. */
export async function readResponse(
  res: Response,
  onBytes?: (loaded: number, total: number) => void,
): Promise<Uint8Array<ArrayBuffer>> {
  const total = Number(res.headers.get('content-length') ?? 0);
  if (!res.body || !onBytes) return new Uint8Array(await res.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onBytes(loaded, total);
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
