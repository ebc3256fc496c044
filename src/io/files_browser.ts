// The browser's FileSource: files under a base URL, fetched on demand. Imported only by the browser entry.
import { decodeUtf8, type FileSource } from './files.js';

export class UrlFileSource implements FileSource {
  private readonly base: string;
  constructor(base: string, private readonly onProgress?: (name: string, loaded: number, total: number) => void) {
    this.base = base.endsWith('/') ? base : `${base}/`;
  }
  describe(name: string): string {
    return this.base + name;
  }
  async exists(name: string): Promise<boolean> {
    const res = await fetch(this.base + name, { method: 'HEAD' });
    return res.ok;
  }
  async readBytes(name: string): Promise<Uint8Array> {
    const res = await fetch(this.base + name);
    if (!res.ok) throw new Error(`${this.describe(name)}: HTTP ${res.status}`);
    const total = Number(res.headers.get('content-length') ?? 0);
    if (!res.body || !this.onProgress) return new Uint8Array(await res.arrayBuffer());
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      this.onProgress(name, loaded, total);
    }
    const out = new Uint8Array(loaded);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
  async readText(name: string): Promise<string> {
    return decodeUtf8(await this.readBytes(name), this.describe(name));
  }
}
