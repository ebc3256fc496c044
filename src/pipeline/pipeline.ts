// pipeline(task, model, options): the transformers-style factory. Loads the tokenizer and the model the directory's
// config.json names (the Auto classes: DistilBERT, BERT, RoBERTa) from one place (a directory in Node, a base URL or
// Hub id in browsers, or any FileSource) and returns a callable with Hugging Face's output shapes:
// 'text-classification' / 'sentiment-analysis' → labels and scores; 'feature-extraction' → hidden states or
// sentence embeddings.

import type { FileSource, SourceOptions } from '../io/files.js';
import { openModelSource, sourceName } from '../io/progress.js';
import { AutoModel, AutoModelForSequenceClassification } from '../models/auto.js';
import type { EncoderModel } from '../models/common/encoder_model.js';
import type { SequenceClassificationModel } from '../models/common/sequence_classification.js';
import { init, type InitOptions } from '../runtime/device.js';
import { AutoTokenizer } from '../tokenizers/auto_tokenizer.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import { optionsObject } from '../util/check.js';
import { FeatureExtractor, type ExtractorOptions, type FeatureOptions, type Features } from './feature_extractor.js';
import { checkTopK, type LabelScore } from './postprocess.js';
import { TextClassifier, type ClassifierOptions } from './text_classifier.js';

export type ClassificationTask = 'sentiment-analysis' | 'text-classification';
export type PipelineTask = ClassificationTask | 'feature-extraction';
const TASKS: readonly string[] = ['sentiment-analysis', 'text-classification', 'feature-extraction'];

/** 'fp16': Linear products read float16 copies of the weights (half the weight traffic; needs shader-f16). */
export type PipelineDtype = 'fp32' | 'fp16';

/** What every task's options share: where the model comes from and how it runs. */
export interface LoadingOptions extends SourceOptions {
  /** 'fp16': Linear products read float16 weight copies (adapter feature shader-f16); default 'fp32'. */
  dtype?: PipelineDtype;
  /** WebGPU adapter/device options, used when the runtime is not initialised yet. */
  device?: InitOptions;
  /** Receives loading warnings (e.g. a checkpoint without a classification head). Default console.warn. */
  onWarning?: (message: string) => void;
}

export interface PipelineOptions extends ClassifierOptions, LoadingOptions {
  /** Labels per text (default 1); null: every label, sorted by score. Changes the output shape as in HF. */
  topK?: number | null;
}

export interface FeatureExtractionOptions extends ExtractorOptions, LoadingOptions {}

export interface CallOptions {
  topK?: number | null;
}

/** The callable pipeline. A string gives [{label, score}] (topK of them; 1 by default). An array gives one
 *  {label, score} per text by default, or one list per text when topK is set (HF's shapes exactly). */
export interface TextClassificationPipeline {
  (text: string, options?: CallOptions): Promise<LabelScore[]>;
  (texts: readonly string[], options: CallOptions & { topK: number | null }): Promise<LabelScore[][]>;
  (texts: readonly string[], options?: CallOptions): Promise<LabelScore[] | LabelScore[][]>;
  readonly task: ClassificationTask;
  readonly classifier: TextClassifier;
  readonly model: SequenceClassificationModel;
  readonly tokenizer: Tokenizer;
  /** texts: [N] → N lists of labels, whatever the options (the shape the CLI and the web worker use). */
  classify(texts: readonly string[], options?: CallOptions): Promise<LabelScore[][]>;
  /** Frees the model's GPU memory. */
  dispose(): void;
}

/**
 * The callable feature extractor. Without pooling, a string gives its tokens' last hidden states [tokens][hidden]
 * and an array one such list per text [text][tokens][hidden] (HF's last hidden state, each text's own tokens). With
 * pooling ('mean' | 'cls', optionally normalize), one embedding per text: [hidden], or [text][hidden].
 */
export interface FeatureExtractionPipeline {
  (text: string, options?: FeatureOptions): Promise<Features>;
  (texts: readonly string[], options?: FeatureOptions): Promise<Features[]>;
  readonly task: 'feature-extraction';
  readonly extractor: FeatureExtractor;
  readonly model: EncoderModel;
  readonly tokenizer: Tokenizer;
  /** Frees the model's GPU memory. */
  dispose(): void;
}

/** task, model location → a ready pipeline (model weights on the GPU, tokenizer loaded). */
export async function pipeline(
  task: 'feature-extraction',
  model: string | FileSource,
  options?: FeatureExtractionOptions,
): Promise<FeatureExtractionPipeline>;
export async function pipeline(
  task: ClassificationTask,
  model: string | FileSource,
  options?: PipelineOptions,
): Promise<TextClassificationPipeline>;
export async function pipeline(
  task: PipelineTask,
  model: string | FileSource,
  options: PipelineOptions | FeatureExtractionOptions = {},
): Promise<TextClassificationPipeline | FeatureExtractionPipeline> {
  if (!TASKS.includes(task)) {
    throw new Error(`pipeline: unsupported task ${JSON.stringify(task)}; supported: ${TASKS.join(', ')}`);
  }
  if (model === undefined || model === '')
    throw new Error(`pipeline("${task}"): give a model directory, URL or FileSource`);
  options = optionsObject(options, `pipeline("${task}")`);
  const dtype = options.dtype ?? 'fp32';
  if (dtype !== 'fp32' && dtype !== 'fp16')
    throw new Error(`pipeline("${task}"): dtype must be 'fp32' or 'fp16', got ${JSON.stringify(dtype)}`);
  if (task === 'feature-extraction') return featureExtraction(model, options as FeatureExtractionOptions);
  return textClassification(task, model, options as PipelineOptions);
}

/**
 * The tokenizer and the model (the task's Auto class) from one source, so a Hub or URL source is opened (and reports
 * progress) once; opening it checks the argument before the runtime starts. `build` makes the task's runner from
 * them (the model is disposed should that fail); the `ready` event follows.
 */
async function load<M extends { setMatmulDtype(d: 'f32' | 'f16'): unknown; dispose(): void }, R>(
  task: PipelineTask,
  model: string | FileSource,
  options: LoadingOptions,
  loadModel: (source: FileSource, options: { onWarning?: (m: string) => void }) => Promise<M>,
  build: (net: M, tokenizer: Tokenizer) => R,
): Promise<{ net: M; tokenizer: Tokenizer; runner: R }> {
  const source = openModelSource(model, options, `pipeline("${task}"): model`);
  await init(options.device);
  // Tokenizer first: it is small and its errors (wrong directory) are the likeliest and cheapest.
  const tokenizer = await AutoTokenizer.fromPretrained(source);
  const net = await loadModel(source, { onWarning: options.onWarning });
  let runner: R;
  try {
    if (options.dtype === 'fp16') net.setMatmulDtype('f16');
    runner = build(net, tokenizer);
  } catch (err) {
    net.dispose();
    throw err;
  }
  options.progressCallback?.({ status: 'ready', task, model: typeof model === 'string' ? model : sourceName(source) });
  return { net, tokenizer, runner };
}

async function textClassification(
  task: ClassificationTask,
  model: string | FileSource,
  options: PipelineOptions,
): Promise<TextClassificationPipeline> {
  const defaultTopK = options.topK === undefined ? undefined : checkTopK(options.topK, `pipeline("${task}")`);
  const {
    net,
    tokenizer,
    runner: classifier,
  } = await load(
    task,
    model,
    options,
    (s, o) => AutoModelForSequenceClassification.fromPretrained(s, o),
    (n, t) => new TextClassifier(n, t, options),
  );

  const call = async (
    input: string | readonly string[],
    callOptions: CallOptions = {},
  ): Promise<LabelScore[] | LabelScore[][]> => {
    callOptions = optionsObject(callOptions, `pipeline("${task}")`);
    // HF's legacy shape (one dict per text) holds only when no topK was asked for. A topK given to pipeline()
    // counts as asked for: HF would then wrap a string's list in one more list, a quirk we do not copy.
    const topK = 'topK' in callOptions ? callOptions.topK : defaultTopK;
    if (typeof input === 'string') return (await classifier.classify([input], { topK }))[0]!;
    if (!Array.isArray(input))
      throw new TypeError(`pipeline("${task}"): input must be a string or an array of strings`);
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

async function featureExtraction(
  model: string | FileSource,
  options: FeatureExtractionOptions,
): Promise<FeatureExtractionPipeline> {
  const task = 'feature-extraction';
  const {
    net,
    tokenizer,
    runner: extractor,
  } = await load(
    task,
    model,
    options,
    (s, o) => AutoModel.fromPretrained(s, o),
    (n, t) => new FeatureExtractor(n, t, options),
  );
  const call = async (
    input: string | readonly string[],
    callOptions: FeatureOptions = {},
  ): Promise<Features | Features[]> => {
    callOptions = optionsObject(callOptions, `pipeline("${task}")`);
    if (typeof input === 'string') return (await extractor.extract([input], callOptions))[0]!;
    if (!Array.isArray(input))
      throw new TypeError(`pipeline("${task}"): input must be a string or an array of strings`);
    return extractor.extract(input, callOptions);
  };
  return Object.assign(call as FeatureExtractionPipeline, {
    task,
    extractor,
    model: net,
    tokenizer,
    dispose: () => extractor.dispose(),
  });
}
