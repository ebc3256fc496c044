// The interfaces an environment provides to the layers above it: where files are read from (FileSource), how a
// model directory is written (FileWriter) and where the Trainer keeps checkpoints (CheckpointStore). They live here,
// below io/, models/ and train/, so that the Platform (platform.ts) can name them without importing upward.

/**
 * name: the model (a Hub id, URL or directory); file: the file in it. progress is a percentage (0 when the size is
 * unknown).
 */
export type ProgressInfo =
  | { status: 'initiate'; name: string; file: string }
  | { status: 'download'; name: string; file: string }
  | { status: 'progress'; name: string; file: string; progress: number; loaded: number; total: number }
  | { status: 'done'; name: string; file: string; loaded: number }
  | { status: 'ready'; task: string; model: string };

export type ProgressCallback = (info: ProgressInfo) => void;

/** Model, tokenizer and dataset files, read the same way in Node (a directory) and browsers (a URL, a Hub repo). */
export interface FileSource {
  /** Human-readable location of `name`, used in error messages (a path or a URL). */
  describe(name: string): string;
  exists(name: string): Promise<boolean>;
  readBytes(name: string): Promise<Uint8Array>;
  readText(name: string): Promise<string>;
}

/** How to open a location: which revision of a Hub repo, and who hears about downloads. */
export interface SourceOptions {
  /** Branch, tag or commit of a Hub repo (default "main"); ignored for directories and URLs. */
  revision?: string;
  /** transformers.js-style load events (see ProgressInfo). */
  progressCallback?: ProgressCallback;
}

/** Writes named files into a directory (created when missing). */
export type FileWriter = (dir: string, files: Map<string, Uint8Array>) => Promise<void>;

export type FileMap = Map<string, Uint8Array>;

/**
 * Where the Trainer's files go: an output directory of checkpoint folders plus the final model at its root. The
 * Trainer only sees this interface, so it runs in a browser tab (MemoryCheckpointStore, or one backed by
 * OPFS/IndexedDB) as well as in Node (NodeCheckpointStore, train/checkpoint_store_node.ts).
 */
export interface CheckpointStore {
  /** Human-readable location of `dir` (a checkpoint name or '' for the output root), for messages. */
  describe(dir?: string): string;
  /**
   * Writes `files` as folder `name` of the output directory, all or nothing: a crash (or kill -9) at any moment
   * leaves either the previous state or the complete folder. An existing folder of that name is replaced.
   */
  writeFolder(name: string, files: FileMap): Promise<void>;
  /** Writes files at the output root (the final model); each file replaced whole. */
  writeRoot(files: FileMap): Promise<void>;
  /** Names of the complete folders (never half-written temporaries). */
  listFolders(): Promise<string[]>;
  /**
   * A file of folder `dir` ('' = root; a path outside the output dir is allowed where the store has paths), or
   * undefined.
   */
  readFile(dir: string, file: string): Promise<Uint8Array | undefined>;
  /** Deletes folder `name`. */
  removeFolder(name: string): Promise<void>;
  /** Deletes temporaries left by interrupted writes; returns their names. */
  removeStaleTemporaries(): Promise<string[]>;
}
