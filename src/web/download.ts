// Taking the model out of the tab, as a Hugging Face model directory (config.json, model.safetensors, tokenizer
// files): one .zip (made in the worker with fflate), or, where the browser has the File System Access API, the files
// written straight into a folder the user picks, asking before any file there is replaced.

import { setStatus, type WorkerClient } from './page.js';

type DirectoryPicker = (options?: { id?: string; mode?: 'read' | 'readwrite' }) => Promise<FileSystemDirectoryHandle>;

function directoryPicker(): DirectoryPicker | undefined {
  const w = window as unknown as { showDirectoryPicker?: DirectoryPicker };
  return typeof w.showDirectoryPicker === 'function' ? w.showDirectoryPicker.bind(window) : undefined;
}

export function canSaveToFolder(): boolean {
  return directoryPicker() !== undefined;
}

/** Saves webtune-model.zip through the browser's downloads. */
export async function downloadZip(client: WorkerClient): Promise<void> {
  setStatus('download-status', 'Packing the model…');
  const done = await client.request<'exported'>({ type: 'export', as: 'zip' });
  const zip = done.files[0]!;
  const url = URL.createObjectURL(new Blob([zip.bytes], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = zip.name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  setStatus(
    'download-status',
    `Saved ${zip.name} (${megabytes(zip.bytes.byteLength)}). Unzip it and load the folder ${done.name}/ with ` +
      `node dist/predict.js --model ${done.name}, pipeline() or transformers.`,
  );
}

/** Writes the model's files into a folder the user picks (the picker must open on the click itself, before any await). */
export async function saveToFolder(client: WorkerClient): Promise<void> {
  let dir: FileSystemDirectoryHandle;
  try {
    dir = await directoryPicker()!({ id: 'webtune-model', mode: 'readwrite' });
  } catch (err) {
    if ((err as Error).name === 'AbortError') return setStatus('download-status', 'No folder picked: nothing saved.');
    throw err;
  }
  setStatus('download-status', `Writing the model into ${dir.name}/…`);
  const done = await client.request<'exported'>({ type: 'export', as: 'files' });
  const existing: string[] = [];
  for (const f of done.files) if (await hasFile(dir, f.name)) existing.push(f.name);
  if (
    existing.length &&
    !confirm(`${dir.name}/ already has ${existing.join(', ')}. Replace ${existing.length === 1 ? 'it' : 'them'}?`)
  ) {
    return setStatus('download-status', `Nothing written: ${dir.name}/ already has ${existing.join(', ')}.`);
  }
  for (const f of done.files) {
    const writable = await (await dir.getFileHandle(f.name, { create: true })).createWritable();
    await writable.write(f.bytes);
    await writable.close();
  }
  const total = done.files.reduce((n, f) => n + f.bytes.byteLength, 0);
  setStatus(
    'download-status',
    `Wrote ${done.files.map((f) => f.name).join(', ')} (${megabytes(total)}) into ${dir.name}/.`,
  );
}

async function hasFile(dir: FileSystemDirectoryHandle, name: string): Promise<boolean> {
  try {
    await dir.getFileHandle(name);
    return true;
  } catch (err) {
    if ((err as Error).name === 'NotFoundError') return false;
    throw err;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
