// A model directory leaving the tab: pretrainedFiles (the Trainer's final-save file set) zipped by zipFolder, unzipped
// with fflate as any unzip tool would, loads back into a pipeline that gives the very same scores.
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileSourceFromPicked, pipeline, pretrainedFiles, zipFolder } from '../src/index.js';
import { gpu } from './helpers/gpu.js';

const DIR = '../shared/golden/small-distilbert-realvocab';
const TEXTS = ['A wonderful, moving film.', 'Dull and far too long; I left early.'];

beforeAll(async () => {
  await gpu();
});

describe('model archive (zipFolder)', () => {
  it('zips a HF model directory under one folder, weights stored; unzipped, it classifies the same', async () => {
    const original = await pipeline('sentiment-analysis', DIR);
    let files: Map<string, Uint8Array>;
    let want;
    try {
      files = await pretrainedFiles(original.model, original.tokenizer);
      want = await original.classify(TEXTS, { topK: null });
    } finally {
      original.dispose();
    }
    const zip = zipFolder(files, 'my-model');
    const methods = new Map<string, number>();
    const entries = unzipSync(zip, { filter: (f) => (methods.set(f.name, f.compression), true) });
    expect(Object.keys(entries).sort()).toEqual([...files.keys()].map((n) => `my-model/${n}`).sort());
    for (const [name, bytes] of files)
      expect(Buffer.from(entries[`my-model/${name}`]!).equals(Buffer.from(bytes)), name).toBe(true);
    expect(methods.get('my-model/model.safetensors')).toBe(0); // stored: float32 weights barely deflate
    expect(methods.get('my-model/vocab.txt')).toBe(8); // deflated
    expect(zip.length).toBeGreaterThan(files.get('model.safetensors')!.length);

    const picked = Object.entries(entries).map(([name, bytes]) => ({ name, bytes }));
    const back = await pipeline('sentiment-analysis', await fileSourceFromPicked(picked));
    try {
      expect(await back.classify(TEXTS, { topK: null })).toEqual(want);
    } finally {
      back.dispose();
    }
  });

  it('refuses a folder name that is not a plain name', () => {
    for (const bad of ['', '..', 'a/b', '../x'])
      expect(() => zipFolder(new Map(), bad), bad).toThrow(/zipFolder: folder must be a plain name/);
  });
});
