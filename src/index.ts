// Node entry: registers Dawn (the `webgpu` package) and the file-system FileSource, then exports everything.
// The WebGPU types our declarations use (GPUDevice, GPUBuffer, …): kept in the emitted .d.ts for consumers.
/// <reference types="@webgpu/types" preserve="true" />
import './runtime/node_gpu.js';
import { setDefaultFileSourceFactory } from './io/files.js';
import { DirectoryFileSource } from './io/files_node.js';
import { setDefaultFileWriter } from './models/distilbert/save.js';
import { writeFilesNode } from './models/distilbert/save_node.js';
import type { DistilBertForSequenceClassification } from './models/distilbert/model.js';

setDefaultFileSourceFactory((dir) => new DirectoryFileSource(dir));
setDefaultFileWriter(writeFilesNode);

export * from './engine.js';
export { setDawnFlags, quietDawnNotices } from './runtime/node_gpu.js';
export * from './io/files.js';
export { DirectoryFileSource } from './io/files_node.js';
export { zipFolder } from './io/zip.js';
export * from './models/index.js';

/** Node: writes config.json and model.safetensors into `dir` (created when missing), as save_pretrained. */
export function savePretrained(model: DistilBertForSequenceClassification, dir: string): Promise<void> {
  if (!model || typeof (model as { savePretrained?: unknown }).savePretrained !== 'function') {
    throw new TypeError(`savePretrained: model must be a DistilBertForSequenceClassification, got ${model === null ? 'null' : typeof model}`);
  }
  return model.savePretrained(dir, writeFilesNode);
}
export * from './pipeline/index.js';
export * from './data/node.js';
export * from './io/hub.js';
export * from './io/safetensors.js';
export * from './tokenizers/index.js';
export * from './train/node.js';
export * from './export/index.js';
export { exportOnnxToDirectory, OnnxExistsError, type OnnxExportOptions, type OnnxExportResult } from './export/export_node.js';
