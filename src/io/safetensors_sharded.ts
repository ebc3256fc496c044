// Loading a model directory's weights the way from_pretrained finds them: `model.safetensors` when
// present, otherwise `model.safetensors.index.json` and the shards its `weight_map` names. Works on any
// FileSource (disk in Node, fetch or picked files in browsers); parsing stays pure on bytes.

import type { FileSource } from './files.js';
import { parseSafetensors } from './safetensors_read.js';
import type { SafetensorsTensor } from './safetensors_format.js';

export const SAFE_WEIGHTS_NAME = 'model.safetensors';
export const SAFE_WEIGHTS_INDEX_NAME = 'model.safetensors.index.json';

/** source: a model directory → every tensor of the checkpoint, name → tensor, merged across shards. */
export async function loadSafetensorsFromSource(source: FileSource): Promise<Map<string, SafetensorsTensor>> {
  if (await source.exists(SAFE_WEIGHTS_NAME)) {
    return parseSafetensors(await source.readBytes(SAFE_WEIGHTS_NAME), source.describe(SAFE_WEIGHTS_NAME)).tensors;
  }
  if (await source.exists(SAFE_WEIGHTS_INDEX_NAME)) return loadSharded(source);
  throw new Error(
    `${source.describe(SAFE_WEIGHTS_NAME)}: no weights found (neither ${SAFE_WEIGHTS_NAME} nor ${SAFE_WEIGHTS_INDEX_NAME} exists)`,
  );
}

async function loadSharded(source: FileSource): Promise<Map<string, SafetensorsTensor>> {
  const indexName = source.describe(SAFE_WEIGHTS_INDEX_NAME);
  const weightMap = readWeightMap(await source.readText(SAFE_WEIGHTS_INDEX_NAME), indexName);

  // Shards load in sorted order (as HF does), each fully: a shard's tensors missing from the
  // weight_map are still loaded, but a tensor found in two shards is ambiguous and an error.
  const shards = [...new Set(weightMap.values())].sort();
  const merged = new Map<string, SafetensorsTensor>();
  const owner = new Map<string, string>();
  for (const shard of shards) {
    if (!(await source.exists(shard))) {
      throw new Error(`${indexName}: shard "${shard}" listed in weight_map is missing (${source.describe(shard)})`);
    }
    const file = parseSafetensors(await source.readBytes(shard), source.describe(shard));
    for (const [name, tensor] of file.tensors) {
      const first = owner.get(name);
      if (first !== undefined) {
        throw new Error(`${indexName}: tensor "${name}" is stored twice, in shards "${first}" and "${shard}"`);
      }
      owner.set(name, shard);
      merged.set(name, tensor);
    }
  }
  for (const [name, shard] of weightMap) {
    if (owner.get(name) !== shard) {
      const actual = owner.get(name);
      const found = actual === undefined ? 'it is in no shard' : `it is in "${actual}"`;
      throw new Error(`${indexName}: weight_map puts tensor "${name}" in shard "${shard}", but ${found}`);
    }
  }
  return merged;
}

/** model.safetensors.index.json text → the distinct shard file names its weight_map names, sorted. */
export function shardFileNames(indexText: string, indexName: string): string[] {
  return [...new Set(readWeightMap(indexText, indexName).values())].sort();
}

function readWeightMap(text: string, indexName: string): Map<string, string> {
  let index: unknown;
  try {
    index = JSON.parse(text);
  } catch (err) {
    throw new Error(`${indexName}: invalid JSON: ${(err as Error).message}`);
  }
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new Error(`${indexName}: missing "weight_map" object`);
  }
  const out = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    // Shard names are file names next to the index; anything path-like could escape the model directory.
    if (typeof shard !== 'string' || shard === '' || /[\\/]/.test(shard) || shard === '.' || shard === '..') {
      throw new Error(`${indexName}: weight_map["${name}"] must be a shard file name, got ${JSON.stringify(shard)}`);
    }
    out.set(name, shard);
  }
  return out;
}
