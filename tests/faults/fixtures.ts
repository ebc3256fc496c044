// Inputs for the fault suite, built on the host from the small golden model (dim 64, 2 layers, the real 30522-entry
// vocab): a base model without a head, heads that are damaged or have other problem types, a vocab too large, and
// small data files with the label mistakes real users make. Plus the helpers every fault case uses: running a CLI,
// and hashing a tree to prove that nothing outside the output directory changed.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors, serializeSafetensors, type SafetensorsWriteTensor } from '../../src/io/safetensors.js';
import { repoRoot, SMALL_MODEL } from '../train_cli.helpers.js';

export { repoRoot, SMALL_MODEL };

const TOKENIZER_FILES = ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'];

export interface Fixtures {
  root: string;
  /** Fast: no head, 2048 + the data's words in vocab.txt, 64 positions (a checkpoint is 2.5 MB, not 25). */
  tiny: string;
  /** The golden model: a trained-shape head, id2label NEGATIVE/POSITIVE (read-only, read in place). */
  head: string;
  /** No classification head, no id2label (as distilbert-base-uncased). */
  base: string;
  /** A head of 2 outputs whose config names nothing (HF's LABEL_0/LABEL_1). */
  placeholder: string;
  /** One NaN in a layer-0 weight. */
  nan: string;
  /** vocab.txt 20 entries longer than config.json's vocab_size. */
  bigVocab: string;
  /** problem_type regression, one output: classifier weight 0, bias 5 (the raw score is exactly 5). */
  regression: string;
  /** problem_type multi_label_classification: classifier weight 0, bias [2, -1]. */
  multiLabel: string;
  /** Finite weights whose logits overflow to ±Inf (classifier weight 3e38). */
  overflow: string;
  data: Record<'strings' | 'posEval' | 'neutralEval' | 'goodPoor' | 'stray2' | 'numeric', string>;
  /** Texts of data.strings, by their label. */
  texts: { pos: string[]; neg: string[] };
}

type Tensors = Record<string, SafetensorsWriteTensor>;

function readTensors(dir: string): Tensors {
  const file = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), dir);
  const out: Tensors = {};
  for (const [name, t] of file.tensors)
    out[name] = { shape: [...t.shape], data: new Float32Array(t.data() as Float32Array) };
  return out;
}

function writeModel(
  dir: string,
  config: Record<string, unknown>,
  tensors: Tensors,
  vocabExtra = '',
  vocab?: string,
): string {
  mkdirSync(dir, { recursive: true });
  for (const f of TOKENIZER_FILES) copyFileSync(join(SMALL_MODEL, f), join(dir, f));
  if (vocab !== undefined || vocabExtra)
    writeFileSync(join(dir, 'vocab.txt'), (vocab ?? readFileSync(join(SMALL_MODEL, 'vocab.txt'), 'utf8')) + vocabExtra);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(dir, 'model.safetensors'), serializeSafetensors(tensors, { format: 'pt' }));
  return dir;
}

const jsonl = (rows: object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Builds every fixture under a fresh temporary directory. */
export function makeFixtures(): Fixtures {
  const root = mkdtempSync(join(tmpdir(), 'webtune-faults-'));
  const config = JSON.parse(readFileSync(join(SMALL_MODEL, 'config.json'), 'utf8')) as Record<string, unknown>;
  const tensors = readTensors(SMALL_MODEL);
  const { id2label: _i, label2id: _l, ...unnamed } = config;
  const body = Object.fromEntries(Object.entries(tensors).filter(([n]) => n.startsWith('distilbert.')));
  const head = (bias: number[]): Tensors => ({
    ...tensors,
    'classifier.weight': { shape: [bias.length, 64], data: new Float32Array(bias.length * 64) },
    'classifier.bias': { shape: [bias.length], data: Float32Array.from(bias) },
  });
  const nan = {
    ...tensors,
    'distilbert.transformer.layer.0.ffn.lin1.weight': { ...tensors['distilbert.transformer.layer.0.ffn.lin1.weight']! },
  };
  nan['distilbert.transformer.layer.0.ffn.lin1.weight']!.data = Float32Array.from(
    nan['distilbert.transformer.layer.0.ffn.lin1.weight']!.data,
    (v, i) => (i === 5 ? NaN : v),
  );
  const overflow = { ...tensors, 'classifier.weight': { shape: [2, 64], data: new Float32Array(128).fill(3e38) } };

  const pos = ['a wonderful film', 'great acting and story', 'I loved it', 'superb and moving', 'brilliant fun'];
  const neg = ['a boring mess', 'terrible acting', 'I hated it', 'dull and slow', 'awful waste of time'];
  const strings = Array.from({ length: 16 }, (_, i) => [
    { text: pos[i % 5], label: 'POSITIVE' },
    { text: neg[i % 5], label: 'NEGATIVE' },
  ]).flat();
  const numeric = Array.from({ length: 8 }, (_, i) => [
    { text: pos[i % 5], label: 1 },
    { text: neg[i % 5], label: 0 },
  ]).flat();
  const stray = [...numeric];
  stray.splice(5, 0, { text: 'odd one', label: 2 }); // line 6
  // tiny: the first 2048 vocab entries (specials, characters, the commonest words) plus the data's words, the
  // embedding rows cut to match and 64 positions.
  const words = [...new Set([...pos, ...neg, 'great', 'awful', 'odd', 'one'].join(' ').toLowerCase().split(' '))];
  const vocab = readFileSync(join(SMALL_MODEL, 'vocab.txt'), 'utf8').split('\n').slice(0, 2048);
  const tinyVocab = [...vocab, ...words.filter((w) => !vocab.includes(w))];
  const cut = (name: string, rows: number): SafetensorsWriteTensor => ({
    shape: [rows, 64],
    data: (body[name]!.data as Float32Array).slice(0, rows * 64),
  });
  const tinyBody = {
    ...body,
    'distilbert.embeddings.word_embeddings.weight': cut(
      'distilbert.embeddings.word_embeddings.weight',
      tinyVocab.length,
    ),
    'distilbert.embeddings.position_embeddings.weight': cut('distilbert.embeddings.position_embeddings.weight', 64),
  };
  const tinyConfig = {
    ...unnamed,
    vocab_size: tinyVocab.length,
    max_position_embeddings: 64,
    architectures: ['DistilBertForMaskedLM'],
  };
  const d = (name: string, rows: object[]): string => {
    writeFileSync(join(root, name), jsonl(rows));
    return join(root, name);
  };
  return {
    root,
    head: SMALL_MODEL,
    tiny: writeModel(join(root, 'tiny'), tinyConfig, tinyBody, '', `${tinyVocab.join('\n')}\n`),
    base: writeModel(join(root, 'base'), { ...unnamed, architectures: ['DistilBertForMaskedLM'] }, body),
    placeholder: writeModel(join(root, 'placeholder'), unnamed, tensors),
    nan: writeModel(join(root, 'nan'), config, nan),
    bigVocab: writeModel(
      join(root, 'big-vocab'),
      config,
      tensors,
      Array.from({ length: 20 }, (_, i) => `extra${i}\n`).join(''),
    ),
    regression: writeModel(
      join(root, 'regression'),
      { ...config, id2label: { 0: 'LABEL_0' }, label2id: { LABEL_0: 0 }, problem_type: 'regression' },
      head([5]),
    ),
    multiLabel: writeModel(
      join(root, 'multi-label'),
      {
        ...config,
        id2label: { 0: 'toxic', 1: 'funny' },
        label2id: { toxic: 0, funny: 1 },
        problem_type: 'multi_label_classification',
      },
      head([2, -1]),
    ),
    overflow: writeModel(join(root, 'overflow'), config, overflow),
    data: {
      strings: d('strings.jsonl', strings),
      posEval: d(
        'pos_eval.jsonl',
        pos.concat(pos.slice(0, 2)).map((text) => ({ text, label: 'pos' })),
      ), // 7: an odd count
      neutralEval: d('neutral_eval.jsonl', [
        { text: 'fine', label: 'pos' },
        { text: 'meh', label: 'neutral' },
      ]),
      goodPoor: d(
        'good_poor.jsonl',
        Array.from({ length: 8 }, () => [
          { text: 'great', label: 'good' },
          { text: 'awful', label: 'poor' },
        ]).flat(),
      ),
      stray2: d('stray2.jsonl', stray),
      numeric: d('numeric.jsonl', numeric),
    },
    texts: { pos, neg },
  };
}

// Hashes by file identity: a file whose inode, size, mtime and ctime are unchanged (as nanosecond bigints) was not
// written, so its earlier hash stands; any write changes ctime, and then the content is hashed again.
const hashCache = new Map<string, { id: string; hash: string }>();

/** path → sha256 of every file under `dir` (recursively), skipping `exclude` (absolute paths). */
export function hashTree(dir: string, exclude: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string): void => {
    if (exclude.some((e) => p === e || p.startsWith(`${e}/`))) return;
    const st = statSync(p, { bigint: true });
    if (st.isDirectory()) {
      for (const n of readdirSync(p).sort()) walk(join(p, n));
      return;
    }
    const id = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    const cached = hashCache.get(p);
    const hash = cached?.id === id ? cached.hash : createHash('sha256').update(readFileSync(p)).digest('hex');
    hashCache.set(p, { id, hash });
    out.set(p, hash);
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const env = { ...process.env, HF_HUB_OFFLINE: '1' };

/** Runs dist/<script> to its end (offline, from the repository root). */
export function runScript(
  script: 'train.js' | 'predict.js',
  args: readonly string[],
  input = '',
  timeoutMs = 240_000,
): Run {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', script), ...args], {
    cwd: repoRoot,
    env,
    input,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts dist/train.js; `until` resolves with its end. */
export function startTrain(args: readonly string[]): {
  kill(sig: NodeJS.Signals): void;
  until: Promise<Run>;
  stderr(): string;
} {
  const child = spawn(process.execPath, [join(repoRoot, 'dist/train.js'), ...args], { cwd: repoRoot, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const until = new Promise<Run>((res) =>
    child.on('close', (status, signal) => res({ status, signal, stdout, stderr })),
  );
  return { kill: (sig) => child.kill(sig), until, stderr: () => stderr };
}

/** The run's messages without Dawn's adapter warnings, for assertion messages. */
export const log = (r: Run): string =>
  `exit ${r.status} ${r.signal ?? ''}\n${r.stderr
    .split('\n')
    .filter((l) => !l.startsWith('Warning:'))
    .join('\n')}`;
