// Node entry for the data API: everything in index.ts plus loadDataset, which reads files and folders.
export * from './index.js';
export { loadDataset, type DatasetSpec, type LoadDatasetOptions } from './read_node.js';
