// Node-only: writes a model directory's files with node:fs. Imported only by the Node entry (src/index.ts).
// Atomic as a set: a failed save (disk full) leaves the directory's previous files intact, and names the path.
import { writeFilesAtomically } from '../../io/write_node.js';
import type { FileWriter } from './save.js';

export const writeFilesNode: FileWriter = (dir, files) => writeFilesAtomically(dir, files);
