// pipeline('sentiment-analysis' | 'text-classification', model, options): the transformers-style factory.
// Loads the tokenizer and DistilBERT classifier from one place (a directory in Node, a base URL or Hub id in
// browsers, or any FileSource) and returns a callable with Hugging Face's output shapes.

import type { FileSource, SourceOptions } from '../io/files.js';
import { openModelSource, sourceName } from '../io/progress.js';
import { DistilBertForSequenceClassification } from '../models/distilbert/model.js';
import { init, type InitOptions } from '../runtime/device.js';
import { BertTokenizer } from '../tokenizers/bert_tokenizer.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import { checkTopK, type LabelScore } from './postprocess.js';
import { TextClassifier, type ClassifierOptions } from './text_classifier.js';
import { optionsObject } from '../util/check.js';

export type PipelineTask = 'sentiment-analysis' | 'text-classification';
const TASKS: readonly string[] = ['sentiment-analysis', 'text-classification'];

/** 'fp16': Linear products read float16 copies of the weights (half the weight traffic; needs shader-f16). */
export type PipelineDtype = 'fp32' | 'fp16';

export interface PipelineOptions extends ClassifierOptions, SourceOptions {
  /** Labels per text (default 1); null: every label, sorted by score. Changes the output shape as in HF. */
  topK?: number | null;
  /** 'fp16': Linear products read float16 weight copies (adapter feature shader-f16); default 'fp32'. */
  dtype?: PipelineDtype;
  /** WebGPU adapter/device options, used when the runtime is not initialised yet. */
  device?: InitOptions;
  /** Receives loading warnings (e.g. a checkpoint without a classification head). Default console.warn. */
  onWarning?: (message: string) => void;
}

export interface CallOptions {
  topK?: number | null;
}

/** The callable pipeline. A string gives [{label, score}] (topK of them; 1 by default). An array gives one
 *  {label, score} per text by default, or one list per text when topK is set (HF's shapes exactly). */
export interface TextClassificationPipeline {
  (text: string, options?: CallOptions): Promise<LabelScore[]>;
  (texts: readonly string[], options: CallOptions & { topK: number | null }): Promise<LabelScore[][]>;
  (texts: readonly string[], options?: CallOptions): Promise<LabelScore[] | LabelScore[][]>;
  readonly task: PipelineTask;
  readonly classifier: TextClassifier;
  readonly model: DistilBertForSequenceClassification;
  readonly tokenizer: Tokenizer;
  /** texts: [N] → N lists of labels, whatever the options (the shape the CLI and the web worker use). */
  classify(texts: readonly string[], options?: CallOptions): Promise<LabelScore[][]>;
  /** Frees the model's GPU memory. */
  dispose(): void;
}

/** task, model location → a ready pipeline (model weights on the GPU, tokenizer loaded). */
export async function pipeline(
  task: PipelineTask,
  model: string | FileSource,
  options: PipelineOptions = {},
): Promise<TextClassificationPipeline> {
  if (!TASKS.includes(task)) {
    throw new Error(`pipeline: unsupported task ${JSON.stringify(task)}; supported: ${TASKS.join(', ')}`);
  }
  if (model === undefined || model === '') throw new Error(`pipeline("${task}"): give a model directory, URL or FileSource`);
  options = optionsObject(options, `pipeline("${task}")`);
  const defaultTopK = options.topK === undefined ? undefined : checkTopK(options.topK, `pipeline("${task}")`);
  const dtype = options.dtype ?? 'fp32';
  if (dtype !== 'fp32' && dtype !== 'fp16') throw new Error(`pipeline("${task}"): dtype must be 'fp32' or 'fp16', got ${JSON.stringify(dtype)}`);
  // One source for both loaders, so a Hub or URL source is opened (and reports progress) once; opening it checks the
  // argument before the runtime starts.
  const source = openModelSource(model, options, `pipeline("${task}"): model`);
  await init(options.device);
  // Tokenizer first: it is small and its errors (wrong directory) are the likeliest and cheapest.
  const tokenizer = await BertTokenizer.fromPretrained(source);
  const net = await DistilBertForSequenceClassification.fromPretrained(source, { onWarning: options.onWarning });
  let classifier: TextClassifier;
  try {
    if (dtype === 'fp16') net.setMatmulDtype('f16');
    classifier = new TextClassifier(net, tokenizer, options);
  } catch (err) {
    net.dispose();
    throw err;
  }
  options.progressCallback?.({ status: 'ready', task, model: typeof model === 'string' ? model : sourceName(source) });

  const call = async (input: string | readonly string[], callOptions: CallOptions = {}): Promise<LabelScore[] | LabelScore[][]> => {
    callOptions = optionsObject(callOptions, `pipeline("${task}")`);
    // HF's legacy shape (one dict per text) holds only when no topK was asked for. A topK given to pipeline()
    // counts as asked for: HF would then wrap a string's list in one more list, a quirk we do not copy.
    const topK = 'topK' in callOptions ? callOptions.topK : defaultTopK;
    if (typeof input === 'string') return (await classifier.classify([input], { topK }))[0]!;
    if (!Array.isArray(input)) throw new TypeError(`pipeline("${task}"): input must be a string or an array of strings`);
    const results = await classifier.classify(input, { topK });
    return topK === undefined ? results.map((r) => r[0]!) : results;
  };
  return Object.assign(call as TextClassificationPipeline, {
    task,
    classifier,
    model: net,
    tokenizer,
    classify: (texts: readonly string[], o: CallOptions = {}) => {
      o = optionsObject(o, `pipeline("${task}").classify`);
      return classifier.classify(texts, { topK: 'topK' in o ? o.topK : defaultTopK });
    },
    dispose: () => classifier.dispose(),
  });
}
