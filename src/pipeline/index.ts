// The predictor's public surface, shared by the Node and browser entries.
export {
  pipeline,
  type PipelineTask,
  type PipelineOptions,
  type CallOptions,
  type TextClassificationPipeline,
} from './pipeline.js';
export {
  TextClassifier,
  type ClassifierOptions,
  type SequenceClassifier,
  type SequenceTokenizer,
} from './text_classifier.js';
export {
  checkTopK,
  defaultScoreFunction,
  labelOf,
  scoreLogits,
  topLabels,
  type LabelConfig,
  type LabelScore,
  type ScoreFunction,
} from './postprocess.js';
export { withLoadProgress, openModelSource, type ProgressInfo, type ProgressCallback } from '../io/progress.js';
export { fileSourceFromPicked, type PickedFile } from './picked_files.js';
export { poolEmbeddings, type Pooling, type PoolingOptions } from './pooling.js';
