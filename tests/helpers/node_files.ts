// Registers the Node file-system FileSource, as the Node entry point does, for tests that load files.
import { setDefaultFileSourceFactory } from '../../src/io/files.js';
import { DirectoryFileSource } from '../../src/io/files_node.js';

setDefaultFileSourceFactory((dir) => new DirectoryFileSource(dir));
