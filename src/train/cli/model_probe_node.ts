// What the CLI needs to know about a model directory before loading it: config.json (its family through the model
// registry; labels, positions, vocab size) and whether model.safetensors holds a classifier head, from the
// safetensors header alone (the weights are not read). Node-only. Anything unreadable is left undefined:
// fromPretrained reports it properly at load.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { registeredModelForJson } from '../../models/registry.js';
import type { ModelLabels } from './label_plan.js';

export interface ModelProbe extends ModelLabels {
  /** config.json's model_type (distilbert, bert, roberta). */
  modelType: string;
  vocabSize: number;
  /** The longest input in tokens (RoBERTa: max_position_embeddings − padding_idx − 1). */
  maxPositions: number;
  /** Bytes of the model as a run saves it (every parameter in float32, with a classification head). */
  savedBytes: number;
}

/** dir → config.json's labels, vocab size and positions, and the head's output count (undefined: no head). */
export async function probeModelDir(dir: string): Promise<ModelProbe> {
  const configPath = join(dir, 'config.json');
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(configPath, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      `${configPath}: ${code === 'ENOENT' ? 'file not found (a model directory needs config.json)' : `cannot read: ${(e as Error).message}`}`,
    );
  }
  const entry = registeredModelForJson(json, configPath);
  const config = entry.family.configFromJSON(json, configPath);
  const { path: weightsPath, shape } = await headShape(dir, entry.headWeight);
  const shapes = entry.sequenceClassification.parameterShapes(config);
  return {
    id2label: Array.from({ length: config.num_labels }, (_, i) => config.id2label[i] ?? `LABEL_${i}`),
    headOutputs: shape?.[0],
    configPath,
    weightsPath,
    modelType: config.modelType,
    vocabSize: config.vocab_size,
    maxPositions: entry.family.maxTokens(config).tokens,
    savedBytes: 4 * shapes.reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0),
  };
}

/** The shape of the head's last weight from model.safetensors (or the shard the index names), without the data. */
async function headShape(dir: string, headTensor: string): Promise<{ path: string; shape?: number[] }> {
  let file = join(dir, 'model.safetensors');
  try {
    const index = JSON.parse(await fs.readFile(join(dir, 'model.safetensors.index.json'), 'utf8')) as {
      weight_map?: Record<string, string>;
    };
    const shard = index.weight_map?.[headTensor];
    if (!shard) return { path: join(dir, 'model.safetensors.index.json') };
    file = join(dir, shard);
  } catch {
    /* not sharded */
  }
  const header = await readHeader(file);
  const entry = header?.[headTensor] as { shape?: unknown } | undefined;
  return { path: file, shape: Array.isArray(entry?.shape) ? (entry.shape as number[]) : undefined };
}

async function readHeader(path: string): Promise<Record<string, unknown> | undefined> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(path, 'r');
    const len = Buffer.alloc(8);
    await fh.read(len, 0, 8, 0);
    const n = Number(len.readBigUInt64LE(0));
    if (n <= 0 || n > 100_000_000) return undefined;
    const bytes = Buffer.alloc(n);
    await fh.read(bytes, 0, n, 8);
    return JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}
