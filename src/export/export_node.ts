// Node: exports a model directory in place (DIR/onnx/model.onnx, plus DIR/tokenizer.json when missing).
// An existing model.onnx is kept unless the caller asks to overwrite it; each file is written to a temporary
// name and renamed, so a reader never sees half a model.
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { DirectoryFileSource } from '../io/files_node.js';
import { ONNX_MODEL_PATH, onnxExportFiles } from './export_onnx.js';

export interface OnnxExportOptions {
  /** Replace an existing DIR/onnx/model.onnx (default false: that is an error). */
  overwrite?: boolean;
}

export interface OnnxExportResult {
  /** Paths written, model.onnx first. */
  written: string[];
  /** Size of model.onnx in bytes. */
  onnxBytes: number;
}

/** Thrown when DIR/onnx/model.onnx exists and overwrite was not asked for. */
export class OnnxExistsError extends Error {
  override readonly name = 'OnnxExistsError';
  constructor(readonly path: string) {
    super(`${path} already exists; not replacing it (ask for overwrite to replace it)`);
  }
}

/** dir: a model directory (config.json, model.safetensors, tokenizer files) → writes its ONNX export into it. */
export async function exportOnnxToDirectory(dir: string, options: OnnxExportOptions = {}): Promise<OnnxExportResult> {
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) throw new Error(`${dir}: no such directory`);
  const target = join(dir, ONNX_MODEL_PATH);
  if (!options.overwrite && (await fs.stat(target).catch(() => undefined))) throw new OnnxExistsError(target);
  const files = await onnxExportFiles(new DirectoryFileSource(dir));
  const written: string[] = [];
  for (const [name, bytes] of files) {
    const path = join(dir, name);
    await fs.mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, path);
    written.push(path);
  }
  return { written, onnxBytes: files.get(ONNX_MODEL_PATH)!.length };
}
