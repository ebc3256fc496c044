// Node entry for training: everything in index.ts plus the file-system checkpoint store (the Node platform's
// default, src/platform/platform_node.ts).
export * from './index.js';
export { NodeCheckpointStore, splitCheckpointPath } from './checkpoint_store_node.js';
