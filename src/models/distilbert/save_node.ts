// Node-only: writes a model directory's files with node:fs. Imported only by the Node entry (src/index.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileWriter } from './save.js';

export const writeFilesNode: FileWriter = async (dir, files) => {
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of files) await writeFile(join(dir, name), bytes);
};
