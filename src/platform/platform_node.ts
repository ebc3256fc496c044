// The Node platform: Dawn (the `webgpu` package) with a wait that does not spin, directories on disk (or Hub repos
// through the HF cache), atomic writes, checkpoints on the file system. Set by the Node entry (src/index.ts); never
// reachable from the browser bundle.
import { existsSync } from 'node:fs';
import { DirectoryFileSource } from '../io/files_node.js';
import { HubRepoFileSource } from '../io/hub_files_node.js';
import { isHubId } from '../io/hub_url.js';
import { writeFilesAtomically } from '../io/write_node.js';
import { dawnGPUObject, throttledWait } from '../runtime/node_gpu.js';
import { NodeCheckpointStore } from '../train/checkpoint_store_node.js';
import type { Platform } from './platform.js';

export const nodePlatform: Platform = {
  name: 'node',
  gpu: dawnGPUObject,
  waitGPU: throttledWait,
  // A directory; or, where no such path exists and the string is a Hub id ("user/model"), that Hub repo through the
  // Hugging Face cache, as HF transformers and transformers.js resolve it.
  openFiles: (location, options) =>
    !existsSync(location) && isHubId(location)
      ? new HubRepoFileSource(location, options)
      : new DirectoryFileSource(location),
  // Atomic as a set: a failed save (disk full) leaves the directory's previous files intact, and names the path.
  writeFiles: (dir, files) => writeFilesAtomically(dir, files),
  checkpointStore: (outputDir) => new NodeCheckpointStore(outputDir),
};
