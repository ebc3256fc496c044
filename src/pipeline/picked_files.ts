// Files a user picked in a page (<input type=file multiple> or a dropped folder) → a FileSource.
// Only the base name counts: picking a whole model folder gives "my_model/config.json", which the
// loaders ask for as "config.json".

import { MemoryFileSource } from '../io/files.js';

/** Anything with a name and its bytes: a DOM File (Blob) or {name, bytes} sent to a worker. */
export type PickedFile =
  { name: string; arrayBuffer(): Promise<ArrayBuffer> } | { name: string; bytes: ArrayBuffer | Uint8Array };

/** files → a MemoryFileSource keyed by base name; two files with the same base name are an error. */
export async function fileSourceFromPicked(
  files: Iterable<PickedFile> | ArrayLike<PickedFile>,
  label = 'picked files',
): Promise<MemoryFileSource> {
  const map = new Map<string, Uint8Array>();
  for (const f of Array.from(files as ArrayLike<PickedFile>)) {
    const name = f.name.split(/[\\/]/).pop()!;
    if (map.has(name)) throw new Error(`${label}: two files are named "${name}"; pick one model's files`);
    // A Blob first: browsers' Blob also has a bytes() *method*, so `'bytes' in f` cannot tell them apart.
    const bytes =
      'arrayBuffer' in f && typeof f.arrayBuffer === 'function'
        ? await f.arrayBuffer()
        : (f as { bytes: ArrayBuffer | Uint8Array }).bytes;
    map.set(name, bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  }
  if (!map.has('config.json')) {
    throw new Error(
      `${label}: config.json is missing (pick config.json, model.safetensors and vocab.txt or tokenizer.json)`,
    );
  }
  return new MemoryFileSource(map, label);
}
