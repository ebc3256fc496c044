// Node entry: sets the Node platform (Dawn, the file system: src/platform/platform_node.ts), then exports everything.
// The WebGPU types our declarations use (GPUDevice, GPUBuffer, …): kept in the emitted .d.ts for consumers.
/// <reference types="@webgpu/types" preserve="true" />
import { setPlatform } from './platform/platform.js';
import { nodePlatform } from './platform/platform_node.js';
import type { PreTrainedModel } from './models/common/pretrained_model.js';

setPlatform(nodePlatform);

export * from './engine.js';
export { setDawnFlags, quietDawnNotices } from './runtime/node_gpu.js';
export { nodePlatform } from './platform/platform_node.js';
export * from './io/files.js';
export { DirectoryFileSource } from './io/files_node.js';
export { zipFolder } from './io/zip.js';
export * from './models/index.js';

/** Node: writes config.json and model.safetensors into `dir` (created when missing), as save_pretrained. */
export function savePretrained(model: PreTrainedModel, dir: string): Promise<void> {
  if (!model || typeof (model as { savePretrained?: unknown }).savePretrained !== 'function') {
    throw new TypeError(
      `savePretrained: model must be a DistilBertForSequenceClassification or another webtune model (BertModel, ` +
        `RobertaForSequenceClassification, …), got ${model === null ? 'null' : typeof model}`,
    );
  }
  return model.savePretrained(dir, nodePlatform.writeFiles);
}
export * from './pipeline/index.js';
export * from './data/node.js';
export * from './io/hub.js';
export * from './io/safetensors.js';
export * from './tokenizers/index.js';
export * from './train/node.js';
export * from './export/index.js';
export {
  exportOnnxToDirectory,
  OnnxExistsError,
  type OnnxExportOptions,
  type OnnxExportResult,
} from './export/export_node.js';
