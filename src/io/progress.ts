// Load progress in transformers.js's shape, for any FileSource: `initiate` and `done` around each file read (from
// withLoadProgress), with `download` and `progress` (bytes so far) in between when the file comes over the network
// (UrlFileSource and HubFileSource send those themselves; a cached or local file has none).

import type { ProgressCallback } from '../platform/types.js';
import { decodeUtf8, toFileSource, type FileSource, type SourceOptions } from './files.js';

export type { ProgressCallback, ProgressInfo } from '../platform/types.js';

/** source, callback, the model's name → the same source, reporting `initiate` and `done` for each file read. */
export function withLoadProgress(
  source: FileSource,
  progress: ProgressCallback,
  name = sourceName(source),
): FileSource {
  const read = async (file: string): Promise<Uint8Array> => {
    progress({ status: 'initiate', name, file });
    const bytes = await source.readBytes(file);
    progress({ status: 'done', name, file, loaded: bytes.length });
    return bytes;
  };
  return {
    describe: (file) => source.describe(file),
    exists: (file) => source.exists(file),
    readBytes: read,
    readText: async (file) => decodeUtf8(await read(file), source.describe(file)),
  };
}

/** callback, model name, file → what a download calls after each chunk (running total, size) (undefined without a callback). */
export function progressReporter(
  cb: ProgressCallback | undefined,
  name: string,
  file: string,
): ((loaded: number, total: number) => void) | undefined {
  if (!cb) return undefined;
  return (loaded, total) =>
    cb({ status: 'progress', name, file, loaded, total, progress: total > 0 ? (100 * loaded) / total : 0 });
}

/**
 * location (a directory, URL, Hub id or FileSource) and loading options → the source to read a model from; `where`
 * names the caller's argument when the location is not one (null, {}, a number).
 */
export function openModelSource(
  location: string | FileSource,
  options: SourceOptions = {},
  where = 'location',
): FileSource {
  const source = toFileSource(location, options, where);
  if (!options.progressCallback) return source;
  return withLoadProgress(
    source,
    options.progressCallback,
    typeof location === 'string' ? location : sourceName(source),
  );
}

/** A source's name in progress events and messages: its location without the trailing slash. */
export function sourceName(source: FileSource): string {
  return source.describe('').replace(/\/$/, '');
}
