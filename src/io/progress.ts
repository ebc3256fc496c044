// Load progress in transformers.js's shape, for any FileSource: `initiate` and `done` around each file read (from
// withLoadProgress), with `download` and `progress` (bytes so far) in between when the file comes over the network
// (UrlFileSource and HubFileSource send those themselves; a cached or local file has none).

import { decodeUtf8, toFileSource, type FileSource, type SourceOptions } from './files.js';

/** name: the model (a Hub id, URL or directory); file: the file in it. progress is a percentage (0 when the size is unknown). */
export type ProgressInfo =
  | { status: 'initiate'; name: string; file: string }
  | { status: 'download'; name: string; file: string }
  | { status: 'progress'; name: string; file: string; progress: number; loaded: number; total: number }
  | { status: 'done'; name: string; file: string; loaded: number }
  | { status: 'ready'; task: string; model: string };

export type ProgressCallback = (info: ProgressInfo) => void;

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

/**
 * location (a directory, URL, Hub id or FileSource) and loading options → the source to read a model from; `where`
 * names the caller's argument when the location is not one (null, {}, a number).
 */
export function openModelSource(location: string | FileSource, options: SourceOptions = {}, where = 'location'): FileSource {
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
