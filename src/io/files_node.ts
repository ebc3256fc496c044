// Node's FileSource: a directory on disk. Imported only by the Node entry.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { decodeUtf8, type FileSource } from './files.js';

export class DirectoryFileSource implements FileSource {
  constructor(readonly dir: string) {}
  describe(name: string): string {
    return join(this.dir, name);
  }
  async exists(name: string): Promise<boolean> {
    try {
      await fs.access(join(this.dir, name));
      return true;
    } catch {
      return false;
    }
  }
  async readBytes(name: string): Promise<Uint8Array> {
    const path = join(this.dir, name);
    try {
      return new Uint8Array(await fs.readFile(path));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`${path}: cannot read (${code === 'ENOENT' ? 'file not found' : String(err)})`);
    }
  }
  async readText(name: string): Promise<string> {
    return decodeUtf8(await this.readBytes(name), this.describe(name));
  }
}
