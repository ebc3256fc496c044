// A model directory as one .zip archive (fflate), for a page to offer as a download. Weights are stored, not
// deflated: float32 barely compresses, and deflating hundreds of MB would hold the worker for seconds.
import { zipSync, type Zippable } from 'fflate';

const STORED = /\.(safetensors|onnx|bin)$/;

/** files (name → bytes), folder → zip bytes with entries folder/name, so unzipping gives one directory. */
export function zipFolder(files: ReadonlyMap<string, Uint8Array>, folder: string): Uint8Array {
  if (!/^[\w.-]+$/.test(folder) || folder === '.' || folder === '..') {
    throw new Error(`zipFolder: folder must be a plain name (letters, digits, _ . -), got ${JSON.stringify(folder)}`);
  }
  const entries: Zippable = {};
  for (const [name, bytes] of files) entries[`${folder}/${name}`] = [bytes, { level: STORED.test(name) ? 0 : 6 }];
  return zipSync(entries);
}
