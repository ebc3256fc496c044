// Node entry for training: everything in index.ts, with checkpoints on the file system by default.
import { setDefaultCheckpointStoreFactory } from './checkpoint_store.js';
import { NodeCheckpointStore } from './checkpoint_store_node.js';

setDefaultCheckpointStoreFactory((outputDir) => new NodeCheckpointStore(outputDir));

export * from './index.js';
export { NodeCheckpointStore, splitCheckpointPath } from './checkpoint_store_node.js';
