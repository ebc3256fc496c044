// Sets the Node platform (file-system FileSource, Dawn), as the Node entry point does, for tests that load files
// without importing the entry.
import { setPlatform } from '../../src/platform/platform.js';
import { nodePlatform } from '../../src/platform/platform_node.js';

setPlatform(nodePlatform);
