// The data API that runs anywhere (Node and browsers): parsers take bytes or text, never paths.
// Node's file/folder/Hub loader, loadDataset, is in read_node.ts and re-exported by node.ts.

export {
  batchInputs,
  DataCollatorWithPadding,
  type BatchInputs,
  type CollatedBatch,
  type CollatorFeature,
  type DataCollatorOptions,
} from './collator.js';
export { mulberry32, shuffledIndices } from './shuffle.js';
export { tokenizeDataset, type EncodingTokenizer } from './tokenize.js';
export { batches, numBatches, type BatchOptions } from './batches.js';
export { DatasetError, TEXT_PAIR_CANDIDATES, type ParseOptions, type TextClassificationDataset } from './types.js';
export { resolveLabels, type RawLabel, type ResolvedLabels } from './labels.js';
export { parseJsonl } from './jsonl.js';
export { parseDelimited, type DelimitedOptions } from './csv.js';
export { parseParquet } from './parquet.js';
export { ACLIMDB_CLASSES, assembleClassFolders, sortReviewFiles, type ClassFolder } from './aclimdb.js';
export {
  concatDatasets,
  formatFromName,
  loadDatasetFromSource,
  parseDataset,
  sampleDataset,
  selectExamples,
  trainTestSplit,
  type DatasetFileFormat,
  type LoadOptions,
} from './dataset.js';
