// A model directory (or a model in memory) → the files that make it loadable by ONNX tools: `onnx/model.onnx`
// (fp32; where transformers.js looks for a model's default dtype) and, when the directory has only vocab.txt,
// `tokenizer.json` (transformers.js builds tokenizers from tokenizer.json only). Any registered family's sequence
// classifier (its config.json's model_type); pure on bytes: runs in Node and browsers, and needs no GPU (weights are
// read from the safetensors files).
import { toFileSource, type FileSource } from '../io/files.js';
import { matchCheckpoint } from '../models/common/checkpoint_names.js';
import type { PretrainedConfig } from '../models/common/config_base.js';
import { readPretrained } from '../models/common/pretrained_files.js';
import type { SequenceClassificationModel } from '../models/common/sequence_classification.js';
import { registeredModel, registeredModelForJson, type RegisteredModel } from '../models/registry.js';
import { AutoTokenizer } from '../tokenizers/auto_tokenizer.js';
import { buildEncoderGraph, ENCODER_ONNX_OPSET, ONNX_FAMILIES, type EncoderGraphSpec } from './encoder_onnx.js';
import { encodeModel } from './onnx_proto.js';

/** Where transformers.js (and optimum's exports) keep the fp32 model, relative to the model directory. */
export const ONNX_MODEL_PATH = 'onnx/model.onnx';

const PRODUCER = { producerName: 'webtune', producerVersion: '0.1.0' };

/** config (any registered family's) + HF-named weights of its classifier → the serialised ONNX model. */
export function classifierToOnnx(config: PretrainedConfig, weights: ReadonlyMap<string, Float32Array>): Uint8Array {
  const entry = registeredModel(config.modelType, 'ONNX export');
  return encodeModel(buildEncoderGraph(graphSpec(entry, config), weights), { opset: ENCODER_ONNX_OPSET, ...PRODUCER });
}

/** A model in memory (a sequence classifier of any registered family) → its ONNX bytes (reads the weights back). */
export async function modelToOnnx(model: SequenceClassificationModel): Promise<Uint8Array> {
  return classifierToOnnx(model.config, await model.stateDict());
}

/**
 * location: a model directory (Node), base URL (browser) or FileSource → the files to add to it:
 * `onnx/model.onnx`, plus `tokenizer.json` when the directory has vocab.txt but no tokenizer.json.
 * The checkpoint must hold every tensor of the classifier (a base or MLM checkpoint has no trained head).
 */
export async function onnxExportFiles(location: string | FileSource): Promise<Map<string, Uint8Array>> {
  const source = toFileSource(location);
  let entry: RegisteredModel | undefined;
  const files = await readPretrained(source, (json, name) => {
    entry = registeredModelForJson(json, name);
    return entry.family.configFromJSON(json, name);
  });
  const cls = entry!.sequenceClassification;
  const shapes = new Map([...files.tensors].map(([n, t]) => [n, [...t.shape]] as [string, number[]]));
  const spec = {
    className: cls.className,
    prefix: entry!.family.prefix,
    baseModel: false,
    buffers: entry!.family.buffers,
  };
  const match = matchCheckpoint(shapes, new Map(cls.parameterShapes(files.config)), spec, {
    fileName: files.weightsName,
  });
  if (match.missingKeys.length > 0) {
    throw new Error(
      `${files.weightsName}: cannot export a classifier without its weights; missing ${match.missingKeys.join(', ')} ` +
        '(a base or masked-LM checkpoint has no trained classification head: fine-tune it first)',
    );
  }
  const weights = new Map<string, Float32Array>();
  for (const [name, fileKey] of match.mapping) {
    const data = files.tensors.get(fileKey)!.data();
    if (!(data instanceof Float32Array))
      throw new Error(`${files.weightsName}: tensor "${fileKey}" is not a float tensor`);
    weights.set(name, data);
  }
  const out = new Map([[ONNX_MODEL_PATH, classifierToOnnx(files.config, weights)]]);
  const tokenizerJson = await tokenizerJsonFor(source);
  if (tokenizerJson) out.set('tokenizer.json', tokenizerJson);
  return out;
}

/** The registered classifier of `config`'s family as the graph builder needs it; no head known: an error naming it. */
function graphSpec(entry: RegisteredModel, config: PretrainedConfig): EncoderGraphSpec {
  const { family, sequenceClassification: cls } = entry;
  const onnx = ONNX_FAMILIES[family.modelType];
  if (!onnx) {
    throw new Error(
      `ONNX export: no graph for model_type "${family.modelType}" (${cls.className}); the exporter knows ${Object.keys(ONNX_FAMILIES).join(', ')}`,
    );
  }
  return {
    className: cls.className,
    spec: family.encoderSpec(config),
    prefix: `${family.prefix}.`,
    shapes: cls.parameterShapes(config),
    numLabels: config.num_labels,
    ...onnx,
  };
}

/**
 * The tokenizer.json to add to a directory whose tokenizer is in the slow layout only (vocab.txt, or vocab.json +
 * merges.txt); undefined otherwise.
 */
async function tokenizerJsonFor(source: FileSource): Promise<Uint8Array | undefined> {
  if (await source.exists('tokenizer.json')) return undefined;
  const slow =
    (await source.exists('vocab.txt')) || ((await source.exists('vocab.json')) && (await source.exists('merges.txt')));
  if (!slow) return undefined;
  const tokenizer = await AutoTokenizer.fromPretrained(source, { use: 'vocab' });
  return tokenizer.saveFiles().get('tokenizer.json');
}
