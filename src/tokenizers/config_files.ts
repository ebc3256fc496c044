// Reading a tokenizer's configuration files from a FileSource (a directory, URL base or Hub id): tokenizer_config.json
// with special_tokens_map.json filling in the token names it does not set, and config.json's model_type.

import type { FileSource } from '../io/files.js';
import { modelTypeOf } from './tokenizer_classes.js';
import { parseJsonObject } from './vocab.js';

/** tokenizer_config.json, special_tokens_map.json filling in token names it lacks; undefined: neither file. */
export async function readTokenizerConfigText(src: FileSource): Promise<string | undefined> {
  const [hasConfig, hasMap] = await Promise.all([
    src.exists('tokenizer_config.json'),
    src.exists('special_tokens_map.json'),
  ]);
  const configText = hasConfig ? await src.readText('tokenizer_config.json') : undefined;
  if (!hasMap) return configText;
  const map = parseJsonObject(await src.readText('special_tokens_map.json'), src.describe('special_tokens_map.json'));
  const config = configText === undefined ? {} : parseJsonObject(configText, src.describe('tokenizer_config.json'));
  const merged: Record<string, unknown> = { ...config };
  for (const [k, v] of Object.entries(map)) if (k.endsWith('_token') && merged[k] === undefined) merged[k] = v;
  return Object.keys(merged).length === 0 ? configText : JSON.stringify(merged);
}

/** config.json's model_type, or undefined when the file is absent or names none. */
export async function readModelType(src: FileSource): Promise<string | undefined> {
  if (!(await src.exists('config.json'))) return undefined;
  return modelTypeOf(parseJsonObject(await src.readText('config.json'), src.describe('config.json')));
}
