// A checkpoint folder's files, in and out: the model (save_pretrained's files), the tokenizer's files, AdamW's
// moments (optimizer.safetensors), the schedule position (scheduler.json), the RNG and data position
// (rng_state.json), trainer_state.json and training_args.json; plus HF's checkpoint naming, sorting and rotation.
import { parseSafetensors, serializeSafetensors, type SafetensorsWriteTensor } from '../io/safetensors.js';
import type { AdamWState } from '../optim/adamw.js';
import type { GradScalerState } from '../optim/grad_scaler.js';
import { utf8, type CheckpointStore, type FileMap } from './checkpoint_store.js';
import type { SchedulerState } from './schedule.js';
import { TrainerState } from './trainer_state.js';
import type { SavableTokenizer } from './types.js';

export const CHECKPOINT_PREFIX = 'checkpoint';
export const FILES = {
  model: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
  scheduler: 'scheduler.json',
  rng: 'rng_state.json',
  state: 'trainer_state.json',
  args: 'training_args.json',
  /** fp16 runs: the GradScaler's state (HF's scaler.pt, as JSON). */
  scaler: 'scaler.json',
} as const;
/** A folder missing any of these is not a checkpoint we can resume from. */
const REQUIRED = [FILES.model, FILES.optimizer, FILES.scheduler, FILES.rng, FILES.state];

/** Where the run stands, beyond the optimizer and schedule: everything resuming exactly needs. */
export interface RngState {
  dropout: { seed: number; offset: number };
  /** The epoch in progress (0-based) and how many of its micro-batches are done. */
  epoch: number;
  micro_batches_done: number;
  /** Whether that epoch's end (its evaluation / save / log) was already handled. */
  epoch_end_done: boolean;
  /** What the data order was derived from, checked on resume: other data cannot continue exactly. */
  data_seed: number;
  num_examples: number;
  batches_per_epoch: number;
  /** Loss summed since the last log and the step of that log (so the next logged loss is the same). */
  tr_loss_since_log: number;
  globalstep_last_logged: number;
  /** Sum of all logged losses (HF's _total_loss_scalar), for train_loss. */
  total_loss: number;
}

export function checkpointName(step: number): string {
  return `${CHECKPOINT_PREFIX}-${step}`;
}

/** "checkpoint-500" → 500; anything else → undefined. */
export function checkpointStep(name: string): number | undefined {
  const m = /^checkpoint-(\d+)$/.exec(name.split(/[\\/]/).filter(Boolean).pop() ?? '');
  return m ? Number(m[1]) : undefined;
}

/** AdamW moments → optimizer.safetensors: `<param>.exp_avg`, `<param>.exp_avg_sq`, and the step (tensor and metadata). */
export function optimizerFile(
  paramNames: readonly string[],
  state: AdamWState,
  shapes: readonly (readonly number[])[],
): Uint8Array {
  if (paramNames.length !== state.moments.length) {
    throw new Error(`optimizer state: ${state.moments.length} moment pairs for ${paramNames.length} parameters`);
  }
  const tensors: Record<string, SafetensorsWriteTensor> = {
    step: { dtype: 'I64', shape: [], data: Int32Array.of(state.step) },
  };
  paramNames.forEach((name, i) => {
    tensors[`${name}.exp_avg`] = { shape: shapes[i]!, data: state.moments[i]!.expAvg };
    tensors[`${name}.exp_avg_sq`] = { shape: shapes[i]!, data: state.moments[i]!.expAvgSq };
  });
  return serializeSafetensors(tensors, { format: 'pt', step: String(state.step) });
}

/** optimizer.safetensors → AdamW state for parameters `paramNames` (in the optimizer's order). */
export function parseOptimizerFile(bytes: Uint8Array, paramNames: readonly string[], where: string): AdamWState {
  const file = parseSafetensors(bytes, where);
  const step = Number(file.metadata?.step ?? (file.tensors.get('step')?.data()[0] as number | undefined));
  if (!Number.isInteger(step) || step < 0) throw new Error(`${where}: no valid "step" (metadata or tensor)`);
  const moments = paramNames.map((name) => {
    const get = (suffix: string): Float32Array => {
      const t = file.tensors.get(`${name}.${suffix}`);
      if (!t)
        throw new Error(`${where}: tensor "${name}.${suffix}" is missing (was the checkpoint made by another model?)`);
      const d = t.data();
      if (!(d instanceof Float32Array))
        throw new Error(`${where}: tensor "${name}.${suffix}" is ${t.dtype}, expected F32`);
      return d;
    };
    return { expAvg: get('exp_avg'), expAvgSq: get('exp_avg_sq') };
  });
  return { step, moments };
}

/** model.safetensors bytes → name → values (for model.loadStateDict). */
export function parseModelWeights(bytes: Uint8Array, where: string): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, t] of parseSafetensors(bytes, where).tensors) {
    const d = t.data();
    if (!(d instanceof Float32Array))
      throw new Error(`${where}: tensor "${name}" is ${t.dtype}, expected a float tensor`);
    out.set(name, d);
  }
  return out;
}

/**
 * model, tokenizer → a Hugging Face model directory's files: save_pretrained's (config.json, model.safetensors) and
 * the tokenizer's (vocab.txt, tokenizer.json, …). The Trainer's final save and the web page's download both use it.
 */
export async function pretrainedFiles(
  model: { saveFiles(): Promise<FileMap> },
  tokenizer?: SavableTokenizer,
): Promise<FileMap> {
  return new Map([...(await model.saveFiles()), ...(tokenizer?.saveFiles() ?? [])]);
}

export interface CheckpointParts {
  /** The model directory's files (pretrainedFiles). */
  modelFiles: FileMap;
  optimizer: Uint8Array;
  scheduler: SchedulerState;
  rng: RngState;
  state: TrainerState;
  args: Record<string, unknown>;
  scaler?: GradScalerState;
}

export function checkpointFiles(p: CheckpointParts): FileMap {
  const files: FileMap = new Map(p.modelFiles);
  files.set(FILES.optimizer, p.optimizer);
  files.set(FILES.scheduler, utf8.encode(`${JSON.stringify(p.scheduler, null, 2)}\n`));
  files.set(FILES.rng, utf8.encode(`${JSON.stringify(p.rng, null, 2)}\n`));
  files.set(FILES.args, utf8.encode(`${JSON.stringify(p.args, null, 2)}\n`));
  if (p.scaler) files.set(FILES.scaler, utf8.encode(`${JSON.stringify(p.scaler, null, 2)}\n`));
  // Written last into the folder by stores that write in order; the folder appears only when complete anyway.
  files.set(FILES.state, utf8.encode(p.state.toJSONString()));
  return files;
}

export interface LoadedCheckpoint {
  name: string;
  weights: Map<string, Float32Array>;
  optimizerBytes: Uint8Array;
  scheduler: SchedulerState;
  rng: RngState;
  state: TrainerState;
  /** fp16 runs only. */
  scaler?: GradScalerState;
}

/** Reads and parses a checkpoint folder; a missing or corrupt file is an error naming it. */
export async function readCheckpoint(store: CheckpointStore, name: string): Promise<LoadedCheckpoint> {
  const read = async (file: string): Promise<Uint8Array> => {
    const bytes = await store.readFile(name, file);
    if (!bytes) throw new Error(`${store.describe(name)}: ${file} is missing: not a complete checkpoint`);
    return bytes;
  };
  const json = async <T>(file: string): Promise<T> => {
    try {
      return parsePythonJson(utf8.decode(await read(file))) as T;
    } catch (e) {
      if (e instanceof SyntaxError) throw new Error(`${store.describe(name)}/${file}: invalid JSON (${e.message})`);
      throw e;
    }
  };
  const where = (f: string): string => `${store.describe(name)}/${f}`;
  return {
    name,
    weights: parseModelWeights(await read(FILES.model), where(FILES.model)),
    optimizerBytes: await read(FILES.optimizer),
    scheduler: await json<SchedulerState>(FILES.scheduler),
    rng: await json<RngState>(FILES.rng),
    state: TrainerState.fromJSON(await json<Record<string, unknown>>(FILES.state), where(FILES.state)),
    scaler: (await store.readFile(name, FILES.scaler)) ? await json<GradScalerState>(FILES.scaler) : undefined,
  };
}

/**
 * JSON as Python's json module writes it: the bare tokens NaN, Infinity and -Infinity are numbers (an fp16 run logs
 * the non-finite grad_norm of a step its scaler skipped, as HF does). Strings are left alone.
 */
export function parsePythonJson(text: string): unknown {
  // (JSON escapes: the parsed strings start with U+0000, which no log value does.)
  const marks = { NaN: '"\\u0000NaN"', Infinity: '"\\u0000Infinity"', '-Infinity': '"\\u0000-Infinity"' };
  // Strings are matched first and kept; a bare token outside them becomes a marked string, revived below.
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (m) =>
    m in marks ? marks[m as keyof typeof marks] : m,
  );
  return JSON.parse(marked, (_k, v: unknown) =>
    typeof v === 'string' && v.startsWith('\u0000') ? Number(v.slice(1)) : v,
  );
}

/** Complete checkpoint folders of the store, oldest step first. */
export async function listCheckpoints(store: CheckpointStore): Promise<string[]> {
  const named = (await store.listFolders()).filter((n) => checkpointStep(n) !== undefined);
  const complete: string[] = [];
  for (const n of named) {
    const present = await Promise.all(REQUIRED.map(async (f) => (await store.readFile(n, f)) !== undefined));
    if (present.every(Boolean)) complete.push(n);
  }
  return complete.sort((a, b) => checkpointStep(a)! - checkpointStep(b)!);
}

/** The newest complete checkpoint (HF get_last_checkpoint), or undefined. */
export async function latestCheckpoint(store: CheckpointStore): Promise<string | undefined> {
  return (await listCheckpoints(store)).at(-1);
}

/**
 * HF _sorted_checkpoints + _rotate_checkpoints: sorted by step, the best checkpoint moved next-to-last so it
 * survives, limit raised to 2 when the limit is 1 and the best is not the newest. → folders to delete.
 */
export function checkpointsToDelete(
  sorted: readonly string[],
  limit: number | undefined,
  best: string | undefined,
): string[] {
  if (limit === undefined || sorted.length <= limit) return [];
  const order = [...sorted];
  const bi = best === undefined ? -1 : order.indexOf(best);
  if (bi >= 0) {
    for (let i = bi; i < order.length - 2; i++) [order[i], order[i + 1]] = [order[i + 1]!, order[i]!];
  }
  let keep = limit;
  if (best !== undefined && limit === 1 && order.at(-1) !== best) keep = 2;
  return order.slice(0, Math.max(0, order.length - keep));
}
