// ONNX export: the exported graph's layout (HF exporters' names, int64 inputs, dynamic axes, raw_data weights, only
// default-domain ops with Erf GELU, LayerNorm eps 1e-12 and the masked_fill mask); its logits against HF's on a model
// HF fine-tuned (onnxruntime-node) and against our forward for every activation; transformers.js loading the
// exported directory with no options; export.js's errors; and train.js --onnx end to end, where transformers.js,
// onnxruntime-node and predict.js agree on one padded batch of texts of different lengths.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import './helpers/node_files.js';
import { readOnnxModel } from './helpers/onnx_read.js';
import { IMDB, repoRoot, requireBuild, runTrainCli, shared, tempDir } from './train_cli.helpers.js';
import {
  DistilBertConfig,
  DistilBertForSequenceClassification,
  exportOnnxToDirectory,
  modelToOnnx,
  normalArray,
  tidy,
} from '../src/index.js';
import { parseSafetensors } from '../src/io/safetensors.js';
import { BertTokenizer } from '../src/tokenizers/index.js';
import { DISTILBERT_ACTIVATIONS } from '../src/models/distilbert/config.js';

const FINETUNED = shared('golden/finetuned-small');
const REALVOCAB = shared('golden/small-distilbert-realvocab');
const FAST_TOKENIZER_JSON = join(REALVOCAB, 'fast_tokenizer_save/tokenizer.json');
const EXPORT_JS = join(repoRoot, 'dist/export.js');
const PREDICT_JS = join(repoRoot, 'dist/predict.js');

/** A fresh directory holding copies of `files` (name → source path). */
function modelDir(prefix: string, files: Record<string, string>): string {
  const dir = tempDir(prefix);
  for (const [name, src] of Object.entries(files)) copyFileSync(src, join(dir, name));
  return dir;
}

/** The HF-fine-tuned model with a tokenizer.json (as HF saved it), or with vocab.txt only (as a slow tokenizer saves). */
const finetunedFiles = (tokenizer: 'tokenizer.json' | 'vocab.txt'): Record<string, string> => ({
  'config.json': join(FINETUNED, 'config.json'),
  'model.safetensors': join(FINETUNED, 'model.safetensors'),
  ...(tokenizer === 'tokenizer.json'
    ? {
        'tokenizer.json': join(FINETUNED, 'tokenizer.json'),
        'tokenizer_config.json': join(FINETUNED, 'tokenizer_config.json'),
      }
    : {
        'vocab.txt': join(REALVOCAB, 'vocab.txt'),
        'tokenizer_config.json': join(REALVOCAB, 'tokenizer_config.json'),
        'special_tokens_map.json': join(REALVOCAB, 'special_tokens_map.json'),
      }),
});

/** ids, mask: [B][T] → logits through an onnxruntime-node session. */
async function ortLogits(
  session: ort.InferenceSession,
  ids: number[][],
  mask: number[][],
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const dims = [ids.length, ids[0]!.length];
  const int64 = (rows: number[][]) =>
    new ort.Tensor(
      'int64',
      BigInt64Array.from(rows.flat(), (v) => BigInt(v)),
      dims,
    );
  const out = await session.run({ input_ids: int64(ids), attention_mask: int64(mask) });
  return { data: out.logits!.data as Float32Array, dims: out.logits!.dims };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

async function transformersJs() {
  const tjs = await import('@huggingface/transformers');
  tjs.env.allowRemoteModels = false; // offline: an absolute path is read from disk
  return tjs;
}

type Scored = Array<{ label: string; score: number }>;

/** Worst |Δscore| between two top_k=None outputs; labels must come in the same order. */
function scoreDiff(a: Scored[], b: Scored[]): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  a.forEach((row, i) => {
    expect(
      row.map((x) => x.label),
      `text ${i}`,
    ).toEqual(b[i]!.map((x) => x.label));
    row.forEach((x, j) => (m = Math.max(m, Math.abs(x.score - b[i]![j]!.score))));
  });
  return m;
}

describe('the exported graph of a model HF fine-tuned (golden finetuned-small)', () => {
  let dir: string;
  let session: ort.InferenceSession;
  beforeAll(async () => {
    dir = modelDir('onnx-golden', finetunedFiles('tokenizer.json'));
    const r = await exportOnnxToDirectory(dir);
    expect(r.written).toEqual([join(dir, 'onnx/model.onnx')]); // the directory already had tokenizer.json
    session = await ort.InferenceSession.create(join(dir, 'onnx/model.onnx'));
  });

  it("has the layout of HF's exports: input_ids/attention_mask int64 → logits, dynamic batch and sequence axes", () => {
    expect(session.inputMetadata).toEqual([
      { name: 'input_ids', isTensor: true, type: 'int64', shape: ['batch_size', 'sequence_length'] },
      { name: 'attention_mask', isTensor: true, type: 'int64', shape: ['batch_size', 'sequence_length'] },
    ]);
    expect(session.outputMetadata).toEqual([
      { name: 'logits', isTensor: true, type: 'float32', shape: ['batch_size', 2] },
    ]);
  });

  it('is built from default-domain ops with exact GELU, LayerNorm eps 1e-12, the masked_fill mask; weights as raw_data', () => {
    const model = readOnnxModel(new Uint8Array(readFileSync(join(dir, 'onnx/model.onnx'))));
    expect(model.irVersion).toBe(8);
    expect(model.opsets).toEqual([{ domain: '', version: 17 }]);
    expect(model.nodes.every((n) => n.domain === '')).toBe(true);
    const count = (op: string) => model.nodes.filter((n) => n.op === op).length;
    expect(count('Erf')).toBe(2); // one GELU per layer, the erf form
    expect(count('Tanh') + count('Gelu') + count('FastGelu')).toBe(0);
    expect(count('LayerNormalization')).toBe(5);
    for (const n of model.nodes.filter((x) => x.op === 'LayerNormalization'))
      expect(n.attrs.get('epsilon')?.f).toBe(Math.fround(1e-12));
    expect(count('Where')).toBe(2); // scores at masked keys replaced, per layer
    expect(count('Relu')).toBe(1); // the head
    const byName = new Map(model.initializers.map((t) => [t.name, t]));
    const min = byName.get('float32_min')!;
    expect(new DataView(min.raw!.buffer, min.raw!.byteOffset).getFloat32(0, true)).toBe(-3.4028234663852886e38);
    // Every weight is one raw_data field of 4 bytes per value, never a repeated float list.
    const weights = model.initializers.filter((t) => t.dims.reduce((a, b) => a * b, 1) > 1);
    for (const t of weights) {
      expect(t.typedFields, t.name).toBe(0);
      expect(t.rawBytes, t.name).toBe(t.dims.reduce((a, b) => a * b, 1) * (t.dataType === 7 ? 8 : 4));
    }
    expect(byName.get('distilbert.embeddings.word_embeddings.weight')!.dims).toEqual([30522, 64]);
    expect(byName.get('classifier.weight_t')!.dims).toEqual([64, 2]); // Linear weights stored [in, out]
  });

  it("gives HF's logits on a padded batch through onnxruntime-node", async () => {
    const inputs = JSON.parse(readFileSync(join(FINETUNED, 'batch_inputs.json'), 'utf8')) as {
      input_ids: number[][];
      attention_mask: number[][];
    };
    const lengths = inputs.attention_mask.map((m) => m.reduce((a, b) => a + b, 0));
    expect(Math.min(...lengths)).toBeLessThan(Math.max(...lengths)); // padding is exercised
    const golden = parseSafetensors(
      new Uint8Array(readFileSync(join(FINETUNED, 'batch_logits.safetensors'))),
      'batch_logits',
    ).tensors.get('logits')!;
    const { data, dims } = await ortLogits(session, inputs.input_ids, inputs.attention_mask);
    expect(dims).toEqual(golden.shape);
    const err = maxAbsDiff(data, golden.data());
    console.log(
      `ONNX vs HF logits (16 × ${inputs.input_ids[0]!.length}, lengths ${Math.min(...lengths)}–${Math.max(...lengths)}): max |Δ| ${err.toExponential(2)}`,
    );
    expect(err).toBeLessThan(1e-5);
  });

  it("loads in transformers.js with pipeline('text-classification', dir) and matches HF's pipeline", async () => {
    const golden = JSON.parse(readFileSync(join(FINETUNED, 'pipeline.json'), 'utf8')) as {
      texts: string[];
      outputs: Scored[];
    };
    // transformers.js 4.3.2 truncates after adding [CLS]/[SEP], so a text past 512 tokens loses its [SEP] there
    // (HF keeps it): compare the texts that need no truncation.
    const tokenizer = await BertTokenizer.fromPretrained(dir);
    const fits = golden.texts.map((t) => tokenizer.encode(t).inputIds.length <= 512);
    const texts = golden.texts.filter((_, i) => fits[i]);
    expect(texts.length).toBeGreaterThanOrEqual(40);
    const { pipeline } = await transformersJs();
    const classify = await pipeline('text-classification', dir);
    const outputs = (await classify(texts, { top_k: null })) as Scored[];
    const err = scoreDiff(
      outputs,
      golden.outputs.filter((_, i) => fits[i]),
    );
    console.log(
      `transformers.js on the export vs HF's pipeline, ${texts.length} texts: max |Δscore| ${err.toExponential(2)}`,
    );
    expect(err).toBeLessThan(1e-5);
    await classify.dispose();
  });
});

describe('the graph matches our forward for every activation DistilBertConfig allows', () => {
  for (const activation of DISTILBERT_ACTIVATIONS) {
    it(`${activation}: random weights (biases, LayerNorm included), head dim 8, padded batch`, async () => {
      await gpu();
      const config = new DistilBertConfig({
        dim: 32,
        n_heads: 4,
        hidden_dim: 48,
        n_layers: 2,
        vocab_size: 50,
        max_position_embeddings: 20,
        num_labels: 3,
        activation,
      });
      const model = DistilBertForSequenceClassification.fromConfig(config, { seed: 3 });
      model.eval();
      const state = await model.stateDict();
      let seed = 100;
      for (const [name, values] of state) state.set(name, normalArray(values.length, seed++, 0, 0.3));
      model.loadStateDict(state);
      const lengths = [11, 6, 2];
      const ids = lengths.map((n, b) =>
        Array.from({ length: 11 }, (_, t) => (t < n ? 1 + ((b * 13 + t * 7) % 49) : 0)),
      );
      const mask = lengths.map((n) => Array.from({ length: 11 }, (_, t) => (t < n ? 1 : 0)));
      const ours = tidy(() =>
        model
          .forward({
            inputIds: { data: ids.flat(), shape: [3, 11] },
            attentionMask: { data: mask.flat(), shape: [3, 11] },
          })
          .logits.keep(),
      );
      const expected = (await ours.data()) as Float32Array;
      ours.dispose();
      const session = await ort.InferenceSession.create(await modelToOnnx(model));
      const { data } = await ortLogits(session, ids, mask);
      await session.release();
      model.dispose();
      const scale = Math.max(...expected.map(Math.abs));
      const err = maxAbsDiff(data, expected);
      console.log(
        `${activation}: ONNX vs our forward, max |Δlogit| ${err.toExponential(2)} (max |logit| ${scale.toFixed(2)})`,
      );
      expect(scale).toBeGreaterThan(0.1);
      expect(err).toBeLessThan(2e-5 * Math.max(1, scale));
    });
  }
});

function runNode(script: string, args: string[]) {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('export errors are clear', () => {
  beforeAll(requireBuild);

  it('export.js: usage errors exit 2, a missing directory exits 1 naming it, --help exits 0', () => {
    expect(runNode(EXPORT_JS, ['--help']).stdout).toContain('Usage: node dist/export.js --model DIR');
    const none = runNode(EXPORT_JS, []);
    expect([none.status, none.stderr]).toEqual([2, expect.stringContaining('--model DIR is required')]);
    const typo = runNode(EXPORT_JS, ['--modle', 'x']);
    expect([typo.status, typo.stderr]).toEqual([
      2,
      expect.stringContaining('unknown option --modle (did you mean --model?)'),
    ]);
    const positional = runNode(EXPORT_JS, ['some/dir']);
    expect([positional.status, positional.stderr]).toEqual([
      2,
      expect.stringContaining('unexpected argument "some/dir"'),
    ]);
    const missing = runNode(EXPORT_JS, ['--model', '/no/such/model-dir']);
    expect([missing.status, missing.stderr]).toEqual([1, 'export: error: /no/such/model-dir: no such directory\n']);
  });

  it('a directory without config.json, or a checkpoint without a trained head, is refused naming the file', async () => {
    const empty = tempDir('onnx-empty');
    await expect(exportOnnxToDirectory(empty)).rejects.toThrow(`${join(empty, 'config.json')}: file not found`);
    const mlm = modelDir('onnx-mlm', {
      'config.json': shared('golden/tiny-distilbert-mlm/config.json'),
      'model.safetensors': shared('golden/tiny-distilbert-mlm/model.safetensors'),
    });
    await expect(exportOnnxToDirectory(mlm)).rejects.toThrow(
      new RegExp(
        `^${join(mlm, 'model.safetensors')}: cannot export a classifier without its weights; missing classifier\\.bias, classifier\\.weight, pre_classifier\\.bias`,
      ),
    );
  });

  it('an existing onnx/model.onnx is kept (exit 1, says --overwrite) and replaced with --overwrite', () => {
    const dir = modelDir('onnx-exists', finetunedFiles('tokenizer.json'));
    mkdirSync(join(dir, 'onnx'));
    writeFileSync(join(dir, 'onnx/model.onnx'), 'mine');
    const kept = runNode(EXPORT_JS, ['--model', dir]);
    expect(kept.status).toBe(1);
    expect(kept.stderr).toBe(
      `export: ${join(dir, 'onnx/model.onnx')} already exists; pass --overwrite to replace it\n`,
    );
    expect(readFileSync(join(dir, 'onnx/model.onnx'), 'utf8')).toBe('mine');
    const replaced = runNode(EXPORT_JS, ['--model', dir, '--overwrite']);
    expect(replaced.status, replaced.stderr).toBe(0);
    expect(replaced.stdout).toMatch(new RegExp(`^Wrote ${join(dir, 'onnx/model.onnx')} \\(7\\.9 MiB\\)\n$`));
    expect(statSync(join(dir, 'onnx/model.onnx')).size).toBeGreaterThan(8e6);
  });
});

describe('export.js and the tokenizer transformers.js needs', () => {
  beforeAll(requireBuild);

  it('adds the fast tokenizer.json to a directory with vocab.txt only; warns when there is no tokenizer at all', () => {
    const slow = modelDir('onnx-slow', finetunedFiles('vocab.txt'));
    const r = runNode(EXPORT_JS, ['--model', slow]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`and ${join(slow, 'tokenizer.json')}`);
    expect(readFileSync(join(slow, 'tokenizer.json'), 'utf8')).toBe(readFileSync(FAST_TOKENIZER_JSON, 'utf8'));
    const bare = modelDir('onnx-bare', {
      'config.json': join(FINETUNED, 'config.json'),
      'model.safetensors': join(FINETUNED, 'model.safetensors'),
    });
    const b = runNode(EXPORT_JS, ['--model', bare]);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toBe(
      `export: warning: ${bare} has no tokenizer (tokenizer.json or vocab.txt); transformers.js needs tokenizer.json\n`,
    );
  });
});

describe('train.js --onnx: transformers.js, onnxruntime-node and predict.js agree', () => {
  beforeAll(requireBuild);

  it('on one padded batch of texts of different lengths, within 1e-4', async () => {
    // Start from the HF-fine-tuned model (confident, text-dependent outputs) with a vocab.txt tokenizer only, so the
    // tokenizer.json transformers.js reads is the one our save converts from vocab.txt.
    const start = modelDir('onnx-start', finetunedFiles('vocab.txt'));
    const out = tempDir('onnx-train');
    const r = runTrainCli([
      '--model',
      start,
      '--data',
      IMDB,
      '--output-dir',
      out,
      '--max-train-samples',
      '32',
      '--max-length',
      '64',
      '--per-device-train-batch-size',
      '8',
      '--max-steps',
      '4',
      '--learning-rate',
      '1e-4',
      '--eval-strategy',
      'no',
      '--save-strategy',
      'no',
      '--load-best-model-at-end',
      'false',
      '--seed',
      '7',
      '--onnx',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`ONNX: wrote ${join(out, 'onnx/model.onnx')}\n`);
    // The final save's tokenizer.json is byte for byte what HF's fast tokenizer writes for this vocab.
    expect(readFileSync(join(out, 'tokenizer.json'), 'utf8')).toBe(readFileSync(FAST_TOKENIZER_JSON, 'utf8'));
    // export.js on the same directory writes the same bytes (after refusing to overwrite unasked).
    const onnxBytes = readFileSync(join(out, 'onnx/model.onnx'));
    expect(runNode(EXPORT_JS, ['--model', out]).status).toBe(1);
    expect(runNode(EXPORT_JS, ['--model', out, '--overwrite']).status).toBe(0);
    expect(readFileSync(join(out, 'onnx/model.onnx')).equals(onnxBytes)).toBe(true);

    const reviews = readFileSync(join(IMDB, 'test.jsonl'), 'utf8')
      .split('\n')
      .slice(0, 4)
      .map((l) => (JSON.parse(l) as { text: string }).text);
    const texts = [
      'Great!',
      reviews[0]!.slice(0, 900),
      'Not good, not bad: Café scenes, naïve charm.',
      reviews[1]!.slice(0, 250),
      '',
      reviews[2]!.slice(0, 1500),
      'Dull.',
    ];
    const tokenizer = await BertTokenizer.fromPretrained(out);
    const encoded = texts.map((t) => tokenizer.encode(t).inputIds);
    const lengths = encoded.map((e) => e.length);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(512); // no truncation (transformers.js truncates differently)
    expect(Math.max(...lengths)).toBeGreaterThan(8 * Math.min(...lengths));

    // predict.js: one batch of all the texts.
    const p = runNode(PREDICT_JS, [
      '--model',
      out,
      '--top-k',
      'all',
      '--batch-size',
      String(texts.length),
      ...texts.flatMap((t) => ['--text', t]),
    ]);
    expect(p.status, p.stderr).toBe(0);
    const predicted = p.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Scored);

    // transformers.js: the plainest call on the output directory.
    const { pipeline } = await transformersJs();
    const classify = await pipeline('text-classification', out);
    const viaTransformersJs = (await classify(texts, { top_k: null })) as Scored[];
    await classify.dispose();

    // onnxruntime-node: our tokenizer's ids, right-padded to the longest, in one run.
    const width = Math.max(...lengths);
    const ids = encoded.map((e) => [...e, ...Array(width - e.length).fill(0)]);
    const mask = encoded.map((e) => Array.from({ length: width }, (_, i) => (i < e.length ? 1 : 0)));
    const session = await ort.InferenceSession.create(join(out, 'onnx/model.onnx'));
    const { data } = await ortLogits(session, ids, mask);
    await session.release();
    const labels = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).id2label as Record<string, string>;
    const viaOrt = texts.map((_, b): Scored => {
      const logits = [data[2 * b]!, data[2 * b + 1]!];
      const top = Math.max(...logits);
      const exp = logits.map((z) => Math.exp(z - top));
      const sum = exp[0]! + exp[1]!;
      return exp.map((e, i) => ({ label: labels[i]!, score: e / sum })).sort((a, b2) => b2.score - a.score);
    });

    const spread = Math.max(...predicted.map((s) => s[0]!.score)) - Math.min(...predicted.map((s) => s[0]!.score));
    expect(spread).toBeGreaterThan(0.05); // outputs differ from text to text, so a swap would show
    const diffs = [
      scoreDiff(viaTransformersJs, predicted),
      scoreDiff(viaOrt, predicted),
      scoreDiff(viaOrt, viaTransformersJs),
    ];
    console.log(
      `train.js --onnx, ${texts.length} texts of ${Math.min(...lengths)}–${width} tokens: max |Δscore| transformers.js vs predict.js ${diffs[0]!.toExponential(2)}, onnxruntime-node vs predict.js ${diffs[1]!.toExponential(2)}, onnxruntime-node vs transformers.js ${diffs[2]!.toExponential(2)}`,
    );
    for (const d of diffs) expect(d).toBeLessThan(1e-4);
  }, 300_000);
});
