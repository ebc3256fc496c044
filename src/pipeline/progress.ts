// Load progress for any FileSource: an event as each file starts and ends (with its size), and byte
// counts in between when the source streams (UrlFileSource given an onProgress reports those itself).

import { decodeUtf8, type FileSource } from '../io/files.js';

export interface LoadProgress {
  file: string;
  status: 'start' | 'done';
  /** Bytes read so far (the file size when done). */
  loaded: number;
}

/** source, callback → the same source, reporting each readBytes/readText. */
export function withLoadProgress(source: FileSource, progress: (event: LoadProgress) => void): FileSource {
  const read = async (name: string): Promise<Uint8Array> => {
    progress({ file: name, status: 'start', loaded: 0 });
    const bytes = await source.readBytes(name);
    progress({ file: name, status: 'done', loaded: bytes.length });
    return bytes;
  };
  return {
    describe: (name) => source.describe(name),
    exists: (name) => source.exists(name),
    readBytes: read,
    readText: async (name) => decodeUtf8(await read(name), source.describe(name)),
  };
}
