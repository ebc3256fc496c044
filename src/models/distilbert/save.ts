// Saving a model directory as save_pretrained writes it. Serialisation is pure (bytes in memory, browser-safe);
// writing them to disk is a FileWriter the Node entry registers (save_node.ts), so node:fs never reaches the browser.

/** Writes named files into a directory (created when missing). */
export type FileWriter = (dir: string, files: Map<string, Uint8Array>) => Promise<void>;

let defaultWriter: FileWriter | undefined;

/** Called by the Node entry. */
export function setDefaultFileWriter(writer: FileWriter): void {
  defaultWriter = writer;
}

export function getDefaultFileWriter(): FileWriter {
  if (!defaultWriter) {
    throw new Error(
      'savePretrained: no file writer is registered in this environment (browser). Use model.saveFiles() and store the bytes yourself, or pass a writer.',
    );
  }
  return defaultWriter;
}
