// A model directory (or a model in memory) → the files that make it loadable by ONNX tools: `onnx/model.onnx`
// (fp32; where transformers.js looks for a model's default dtype) and, when the directory has only vocab.txt,
// `tokenizer.json` (transformers.js builds tokenizers from tokenizer.json only). Pure on bytes: runs in Node and
// browsers, and needs no GPU (weights are read from the safetensors files).
import { toFileSource, type FileSource } from '../io/files.js';
import type { DistilBertConfig } from '../models/distilbert/config.js';
import type { DistilBertForSequenceClassification } from '../models/distilbert/model.js';
import { readPretrained } from '../models/common/pretrained_files.js';
import { DistilBertConfig as DistilBertConfigClass } from '../models/distilbert/config.js';
import { matchCheckpointNames } from '../models/distilbert/weights_spec.js';
import { BertTokenizer } from '../tokenizers/bert_tokenizer.js';
import { buildDistilBertGraph, DISTILBERT_ONNX_OPSET } from './distilbert_onnx.js';
import { encodeModel } from './onnx_proto.js';

/** Where transformers.js (and optimum's exports) keep the fp32 model, relative to the model directory. */
export const ONNX_MODEL_PATH = 'onnx/model.onnx';

const PRODUCER = { producerName: 'webtune', producerVersion: '0.1.0' };

/** config + HF-named weights → the serialised ONNX model (see distilbert_onnx.ts for the graph). */
export function distilBertToOnnx(config: DistilBertConfig, weights: ReadonlyMap<string, Float32Array>): Uint8Array {
  return encodeModel(buildDistilBertGraph(config, weights), { opset: DISTILBERT_ONNX_OPSET, ...PRODUCER });
}

/** A model in memory → its ONNX bytes (reads the weights back from the GPU). */
export async function modelToOnnx(model: DistilBertForSequenceClassification): Promise<Uint8Array> {
  return distilBertToOnnx(model.config, await model.stateDict());
}

/**
 * location: a model directory (Node), base URL (browser) or FileSource → the files to add to it:
 * `onnx/model.onnx`, plus `tokenizer.json` when the directory has vocab.txt but no tokenizer.json.
 * The checkpoint must hold every tensor of the classifier (a base or MLM checkpoint has no trained head).
 */
export async function onnxExportFiles(location: string | FileSource): Promise<Map<string, Uint8Array>> {
  const source = toFileSource(location);
  const files = await readPretrained(source, (json, name) => DistilBertConfigClass.fromJSON(json, name));
  const shapes = new Map([...files.tensors].map(([n, t]) => [n, [...t.shape]] as [string, number[]]));
  const match = matchCheckpointNames(shapes, files.config, { fileName: files.weightsName });
  if (match.missingKeys.length > 0) {
    throw new Error(
      `${files.weightsName}: cannot export a classifier without its weights; missing ${match.missingKeys.join(', ')} ` +
        '(a base or masked-LM checkpoint has no trained classification head: fine-tune it first)',
    );
  }
  const weights = new Map<string, Float32Array>();
  for (const [name, fileKey] of match.mapping) {
    const data = files.tensors.get(fileKey)!.data();
    if (!(data instanceof Float32Array)) throw new Error(`${files.weightsName}: tensor "${fileKey}" is not a float tensor`);
    weights.set(name, data);
  }
  const out = new Map([[ONNX_MODEL_PATH, distilBertToOnnx(files.config, weights)]]);
  const tokenizerJson = await tokenizerJsonFor(source);
  if (tokenizerJson) out.set('tokenizer.json', tokenizerJson);
  return out;
}

/** The tokenizer.json to add to a directory that has a vocab.txt tokenizer only (undefined otherwise). */
async function tokenizerJsonFor(source: FileSource): Promise<Uint8Array | undefined> {
  if ((await source.exists('tokenizer.json')) || !(await source.exists('vocab.txt'))) return undefined;
  const tokenizer = await BertTokenizer.fromPretrained(source, { use: 'vocab' });
  return tokenizer.saveFiles().get('tokenizer.json');
}
