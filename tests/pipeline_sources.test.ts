// The pipeline's other ways in: a FileSource of picked files (what the browser demo uses), load progress, and the
// config-driven postprocessing (sigmoid for multi_label_classification, LABEL_i without id2label), against the
// golden model's logits from transformers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DistilBertForSequenceClassification,
  fileSourceFromPicked,
  hasRuntime,
  memory,
  pipeline,
  type ProgressInfo,
} from '../src/index.js';
import { gpu } from './helpers/gpu.js';

const DIR = '../shared/golden/small-distilbert-realvocab';
const e2e = JSON.parse(readFileSync(`${DIR}/e2e.json`, 'utf8')) as { texts: string[]; logits: number[][] };
const TEXTS = [0, 5, 18].map((i) => e2e.texts[i]!);
const LOGITS = [0, 5, 18].map((i) => e2e.logits[i]!);

/** The model directory as picked files, with config.json rewritten by `edit`. */
function pickedFiles(
  edit: (config: Record<string, unknown>) => void = () => {},
): { name: string; bytes: Uint8Array }[] {
  return readdirSync(DIR)
    .filter((n) => statSync(join(DIR, n)).isFile())
    .map((name) => {
      let bytes = new Uint8Array(readFileSync(join(DIR, name)));
      if (name === 'config.json') {
        const config = JSON.parse(new TextDecoder().decode(bytes));
        edit(config);
        bytes = new TextEncoder().encode(JSON.stringify(config));
      }
      return { name: `my_model/${name}`, bytes };
    });
}

beforeAll(async () => {
  await gpu();
});

describe('pipeline sources and config-driven scores', () => {
  it('loads from picked files (base names) and reports progress per file', async () => {
    const events: ProgressInfo[] = [];
    const p = await pipeline('sentiment-analysis', await fileSourceFromPicked(pickedFiles()), {
      progressCallback: (e) => events.push(e),
    });
    try {
      const out = await p.classify(TEXTS, { topK: null });
      out.forEach((rows, i) => {
        const [neg, pos] = LOGITS[i]!;
        const want = 1 / (1 + Math.exp(neg! - pos!)); // softmax of two logits, float64
        expect(rows[0]!.label).toBe('POSITIVE');
        expect(Math.abs(rows[0]!.score - want)).toBeLessThan(1e-5);
      });
    } finally {
      p.dispose();
    }
    const done = events.flatMap((e) => (e.status === 'done' ? [[e.file, e.loaded]] : []));
    expect(done).toEqual(
      expect.arrayContaining([
        ['vocab.txt', statSync(join(DIR, 'vocab.txt')).size],
        ['model.safetensors', statSync(join(DIR, 'model.safetensors')).size],
        ['config.json', expect.any(Number)],
      ]),
    );
    // transformers.js's order: initiate … done per file (picked files are in memory: no download events), then ready.
    expect(events.filter((e) => e.status === 'initiate')).toHaveLength(done.length);
    expect(events.some((e) => e.status === 'download' || e.status === 'progress')).toBe(false);
    expect(events.at(-1)).toEqual({ status: 'ready', task: 'sentiment-analysis', model: 'picked files' });
  });

  it('dispose() of a pipeline or a model never breaks the shared device: a new pipeline after it works', async () => {
    const live = memory().liveTensors;
    const first = await pipeline('sentiment-analysis', DIR);
    first.dispose();
    first.dispose(); // twice is harmless
    await expect(first.classify(TEXTS)).rejects.toThrow(/this pipeline was disposed/);
    const model = await DistilBertForSequenceClassification.fromPretrained(DIR);
    model.dispose();
    expect(memory().liveTensors).toBe(live); // every weight of both was freed…
    expect(hasRuntime()).toBe(true); // …and the device was not
    const second = await pipeline('sentiment-analysis', DIR);
    try {
      const out = await second.classify(TEXTS, { topK: null });
      out.forEach((rows, i) => {
        const [neg, pos] = LOGITS[i]!;
        expect(
          Math.abs(rows.find((r) => r.label === 'POSITIVE')!.score - 1 / (1 + Math.exp(neg! - pos!))),
        ).toBeLessThan(1e-5);
      });
    } finally {
      second.dispose();
    }
  });

  it('multi_label_classification: independent sigmoids; no id2label: LABEL_i', async () => {
    const files = pickedFiles((c) => {
      c.problem_type = 'multi_label_classification';
      delete c.id2label;
      delete c.label2id;
    });
    const p = await pipeline('text-classification', await fileSourceFromPicked(files), { topK: null });
    try {
      const out = await p(TEXTS);
      out.forEach((rows, i) => {
        const want = LOGITS[i]!.map((z, c) => ({ label: `LABEL_${c}`, score: 1 / (1 + Math.exp(-z)) })).sort(
          (a, b) => b.score - a.score,
        );
        expect((rows as { label: string }[]).map((r) => r.label)).toEqual(want.map((w) => w.label));
        (rows as { score: number }[]).forEach((r, j) => expect(Math.abs(r.score - want[j]!.score)).toBeLessThan(1e-5));
      });
    } finally {
      p.dispose();
    }
  });

  it('picked files need a config.json, and base names must be unique', async () => {
    await expect(fileSourceFromPicked([{ name: 'vocab.txt', bytes: new Uint8Array() }])).rejects.toThrow(
      /config\.json is missing/,
    );
    const twice = [
      { name: 'a/config.json', bytes: new Uint8Array() },
      { name: 'b/config.json', bytes: new Uint8Array() },
    ];
    await expect(fileSourceFromPicked(twice)).rejects.toThrow(/two files are named "config\.json"/);
  });
});
