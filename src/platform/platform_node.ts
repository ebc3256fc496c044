// The Node platform: Dawn (the `webgpu` package) with a wait that does not spin, directories on disk, atomic writes,
// checkpoints on the file system. Set by the Node entry (src/index.ts); never reachable from the browser bundle.
import { DirectoryFileSource } from '../io/files_node.js';
import { writeFilesAtomically } from '../io/write_node.js';
import { dawnGPUObject, throttledWait } from '../runtime/node_gpu.js';
import { NodeCheckpointStore } from '../train/checkpoint_store_node.js';
import type { Platform } from './platform.js';

export const nodePlatform: Platform = {
  name: 'node',
  gpu: dawnGPUObject,
  waitGPU: throttledWait,
  openFiles: (dir) => new DirectoryFileSource(dir),
  // Atomic as a set: a failed save (disk full) leaves the directory's previous files intact, and names the path.
  writeFiles: (dir, files) => writeFilesAtomically(dir, files),
  checkpointStore: (outputDir) => new NodeCheckpointStore(outputDir),
};
