// Where model, tokenizer and dataset files come from, the same way in Node and in browsers: a location string is
// opened by the platform (a directory in Node, files_node.ts; a URL or Hub id in browsers, files_browser.ts and
// hub_browser.ts); shared code only ever sees the FileSource interface, so `fs` never reaches the browser bundle.
import { currentPlatform } from '../platform/platform.js';
import type { FileSource, FileWriter, SourceOptions } from '../platform/types.js';
import { describeValue } from '../util/check.js';

export type { FileSource, FileWriter, SourceOptions } from '../platform/types.js';

/**
 * A string is a directory (Node), or a base URL or Hub id (browser); a FileSource passes through. `where` names the
 * caller's argument in the error anything else gets (null, {}, a number).
 */
export function toFileSource(
  location: string | FileSource,
  options: SourceOptions = {},
  where = 'location',
): FileSource {
  if (typeof location !== 'string') {
    const src = location as Partial<FileSource> | null;
    const methods = ['describe', 'exists', 'readBytes', 'readText'] as const;
    if (src === null || typeof src !== 'object' || methods.some((m) => typeof src[m] !== 'function')) {
      throw new TypeError(
        `${where}: expected a model directory path, a base URL or a FileSource (with ${methods.join(', ')}), got ` +
          `${describeValue(location)}`,
      );
    }
    return location;
  }
  if (location === '') throw new TypeError(`${where}: expected a model directory path or URL, got an empty string`);
  const platform = currentPlatform();
  if (!platform) {
    throw new Error(
      'webtune: no file source is registered. Import webtune from its Node entry ("webtune") or its browser entry ' +
        '("webtune/browser").',
    );
  }
  return platform.openFiles(location, options);
}

/**
 * The platform's writer of model directories (savePretrained): the file system in Node. Serialising a model is pure
 * (bytes in memory, browser-safe); only this writing needs node:fs, so it stays with the platform.
 */
export function defaultFileWriter(): FileWriter {
  const writer = currentPlatform()?.writeFiles;
  if (!writer) {
    throw new Error(
      'savePretrained: no file writer is registered in this environment (browser). Use model.saveFiles() and store ' +
        'the bytes yourself, or pass a writer.',
    );
  }
  return writer;
}

/** A FileSource over in-memory files (user-picked files in a page, tests). */
export class MemoryFileSource implements FileSource {
  constructor(
    private readonly files: Map<string, Uint8Array>,
    private readonly label = 'memory',
  ) {}
  describe(name: string): string {
    return `${this.label}/${name}`;
  }
  async exists(name: string): Promise<boolean> {
    return this.files.has(name);
  }
  async readBytes(name: string): Promise<Uint8Array> {
    const bytes = this.files.get(name);
    if (!bytes) throw new Error(`${this.describe(name)}: file not found`);
    return bytes;
  }
  async readText(name: string): Promise<string> {
    return decodeUtf8(await this.readBytes(name), this.describe(name));
  }
}

/** Strict UTF-8 decoding: invalid bytes are an error naming the file and line, never U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new Error(`${where}: invalid UTF-8 at line ${lineOfFirstInvalidByte(bytes)}`);
  }
}

function lineOfFirstInvalidByte(bytes: Uint8Array): number {
  let line = 1;
  let start = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return line;
}
