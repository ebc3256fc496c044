// Node entry: registers Dawn (the `webgpu` package) and the file-system FileSource, then exports everything.
import './runtime/node_gpu.js';
import { setDefaultFileSourceFactory } from './io/files.js';
import { DirectoryFileSource } from './io/files_node.js';

setDefaultFileSourceFactory((dir) => new DirectoryFileSource(dir));

export * from './engine.js';
export { setDawnFlags } from './runtime/node_gpu.js';
export * from './io/files.js';
export { DirectoryFileSource } from './io/files_node.js';
