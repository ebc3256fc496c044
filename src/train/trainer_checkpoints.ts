// The Trainer's checkpoint side: writing a checkpoint (HF _save_checkpoint + _rotate_checkpoints), tracking the
// best metric (_determine_best_metric), resuming exactly (model, AdamW moments, schedule, dropout stream, data
// position, loss bookkeeping) and loading the best model at the end.
import type { AdamW } from '../optim/adamw.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  checkpointFiles,
  checkpointName,
  checkpointsToDelete,
  FILES,
  listCheckpoints,
  optimizerFile,
  parseModelWeights,
  parseOptimizerFile,
  readCheckpoint,
  type LoadedCheckpoint,
  type RngState,
} from './checkpoint.js';
import type { CheckpointStore, FileMap } from './checkpoint_store.js';
import type { MixedPrecision } from './mixed_precision.js';
import { checkFinite } from './numerics.js';
import type { LrScheduler } from './schedule.js';
import type { TrainPlan } from './train_plan.js';
import type { TrainerState } from './trainer_state.js';
import type { TrainingArguments } from './training_args.js';
import type { TrainableModel, TrainerCallback } from './types.js';

/** The epoch in progress, its micro-batches done, and whether its end was handled. */
export interface Position {
  epoch: number;
  done: number;
  epochEndDone: boolean;
}

/** The run's position and the loss bookkeeping, as a checkpoint records them. */
export interface RunProgress {
  position: Position;
  trLossSinceLog: number;
  lastLoggedStep: number;
  totalLoss: number;
}

/** What checkpointing reads and restores of a training run (the Trainer provides it). */
export interface CheckpointedRun {
  readonly args: TrainingArguments;
  readonly state: TrainerState;
  readonly store: CheckpointStore;
  readonly model: TrainableModel;
  readonly optimizer?: AdamW;
  readonly scheduler?: LrScheduler;
  readonly callbacks: readonly TrainerCallback[];
  readonly trainPlan: TrainPlan | undefined;
  /** Mixed precision's state (the loss scaler), with --fp16. */
  readonly amp?: MixedPrecision;
  /** Reads the GPU loss sum back. */
  progress(): Promise<RunProgress>;
  /** The model directory's files (weights, config, tokenizer). */
  modelFiles(): Promise<FileMap>;
  warn(message: string): void;
}

export class TrainerCheckpoints {
  constructor(private readonly t: CheckpointedRun) {}

  /** HF _determine_best_metric → whether `metrics` is a new best. */
  updateBestMetric(metrics: Record<string, number>): boolean {
    const { args, state } = this.t;
    const key = args.bestMetricKey;
    if (key === undefined) return false;
    const value = metrics[key];
    if (value === undefined) {
      throw new Error(
        `metric_for_best_model: "${key}" is not among the evaluation metrics (${Object.keys(metrics).join(', ')}); ` +
          'give the name of a metric that computeMetrics returns',
      );
    }
    const best = state.bestMetric ?? (args.greaterIsBetter ? -Infinity : Infinity);
    if (args.greaterIsBetter ? value > best : value < best) {
      state.bestMetric = value;
      state.bestGlobalStep = state.globalStep;
      return true;
    }
    return false;
  }

  /** Writes checkpoint-<global_step> atomically, then applies save_total_limit. */
  async save(isNewBest: boolean): Promise<string> {
    const { args, state, store, model, optimizer, scheduler } = this.t;
    const name = checkpointName(state.globalStep);
    if (args.saveStrategy === 'best') {
      if (isNewBest) state.bestModelCheckpoint = this.pathOf(name);
    } else if (state.bestGlobalStep !== undefined) {
      const bestName = checkpointName(state.bestGlobalStep);
      if (bestName === name || (await store.listFolders()).includes(bestName))
        state.bestModelCheckpoint = this.pathOf(bestName);
    }
    const { names, shapes } = this.optimizerParamNames();
    const progress = await this.t.progress();
    // The last good checkpoint stays: a diverged state is never written over it or rotated in.
    checkFinite(
      state.globalStep,
      { loss: progress.trLossSinceLog },
      ` (loss summed since step ${progress.lastLoggedStep}, read before ${name})`,
    );
    const plan = this.t.trainPlan!;
    const rng: RngState = {
      dropout: model.dropoutRng.state(),
      epoch: progress.position.epoch,
      micro_batches_done: progress.position.done,
      epoch_end_done: progress.position.epochEndDone,
      data_seed: args.dataSeed ?? args.seed,
      num_examples: plan.numExamples,
      batches_per_epoch: plan.batchesPerEpoch,
      tr_loss_since_log: progress.trLossSinceLog,
      globalstep_last_logged: progress.lastLoggedStep,
      total_loss: progress.totalLoss,
    };
    // fp16: the scaler's state (HF's scaler.pt), read first: it moves the host scheduler to the steps taken.
    const scaler = await this.t.amp?.stateForCheckpoint(optimizer!, scheduler!);
    const files = checkpointFiles({
      modelFiles: await this.t.modelFiles(),
      optimizer: optimizerFile(names, await optimizer!.stateDict(), shapes),
      scheduler: scheduler!.stateDict(),
      scaler,
      rng,
      state,
      args: args.toJSON(),
    });
    await store.writeFolder(name, files);
    for (const cb of this.t.callbacks) await cb.onSave?.(name, state);
    const best = state.bestModelCheckpoint === undefined ? undefined : baseName(state.bestModelCheckpoint);
    for (const old of checkpointsToDelete(await listCheckpoints(store), args.saveTotalLimit, best))
      await store.removeFolder(old);
    return name;
  }

  /** Restores everything from a checkpoint (a folder name or path, or true for the latest) → where to continue. */
  async resume(which: string | true, plan: TrainPlan): Promise<{ position: Position; rng: RngState }> {
    const { store, model, optimizer, scheduler, args } = this.t;
    const ck = which === true ? await this.newestReadable() : await readCheckpoint(store, which);
    const where = store.describe(ck.name);
    const rng = ck.rng;
    const mismatch = (what: string, saved: unknown, now: unknown): never => {
      throw new Error(
        `${where}: the checkpoint was made with ${what} ${saved}, this run has ${now}; resume with the same data ` +
          `and arguments`,
      );
    };
    if (rng.num_examples !== plan.numExamples) mismatch('a training set of', rng.num_examples, plan.numExamples);
    if (rng.batches_per_epoch !== plan.batchesPerEpoch)
      mismatch('batches per epoch', rng.batches_per_epoch, plan.batchesPerEpoch);
    if (rng.data_seed !== (args.dataSeed ?? args.seed))
      mismatch('data seed', rng.data_seed, args.dataSeed ?? args.seed);
    model.loadStateDict(ck.weights);
    optimizer!.loadStateDict(
      parseOptimizerFile(ck.optimizerBytes, this.optimizerParamNames().names, `${where}/${FILES.optimizer}`),
    );
    scheduler!.loadStateDict(ck.scheduler, `${where}/${FILES.scheduler}`);
    if (this.t.amp) {
      // A checkpoint of a run without fp16 has no scaler: this run's starts afresh, as HF's would.
      if (ck.scaler) this.t.amp.scaler.loadStateDict(ck.scaler, `${where}/${FILES.scaler}`);
      else this.t.warn(`${where}: no ${FILES.scaler} (the run was not fp16): the loss scale starts afresh`);
    }
    Object.assign(this.t.state, ck.state);
    model.dropoutRng.seed = rng.dropout.seed;
    model.dropoutRng.offset = rng.dropout.offset;
    return { position: { epoch: rng.epoch, done: rng.micro_batches_done, epochEndDone: rng.epoch_end_done }, rng };
  }

  /**
   * resume_from_checkpoint=true: the newest checkpoint that reads back whole. One that does not (a damaged disk,
   * a file truncated by hand) is skipped with a warning naming it, so the run goes on from the one before.
   */
  private async newestReadable(): Promise<LoadedCheckpoint> {
    const { store } = this.t;
    const names = (await listCheckpoints(store)).reverse();
    for (const name of names) {
      try {
        return await readCheckpoint(store, name);
      } catch (e) {
        this.t.warn(
          `resume_from_checkpoint: skipping ${store.describe(name)}, which cannot be read: ${(e as Error).message}`,
        );
      }
    }
    const tried = names.length ? ` (${names.length} unreadable: ${names.join(', ')})` : '';
    throw new Error(`resume_from_checkpoint: no valid checkpoint found in ${store.describe()}${tried}`);
  }

  /** Loads the weights of state.bestModelCheckpoint into the model (HF _load_best_model). */
  async loadBest(): Promise<void> {
    const { store, model, state } = this.t;
    const name = baseName(state.bestModelCheckpoint!);
    const bytes = await store.readFile(name, FILES.model);
    if (!bytes) throw new Error(`load_best_model_at_end: ${store.describe(name)}/${FILES.model} is missing`);
    model.loadStateDict(parseModelWeights(bytes, `${store.describe(name)}/${FILES.model}`));
  }

  /** HF: with save_total_limit = 1 and a best checkpoint, only the best survives the end of training. */
  async dropAllButBestWhenLimitIsOne(): Promise<void> {
    const { args, state, store } = this.t;
    if (args.saveTotalLimit !== 1 || state.bestModelCheckpoint === undefined) return;
    const best = baseName(state.bestModelCheckpoint);
    for (const c of await listCheckpoints(store)) if (c !== best) await store.removeFolder(c);
  }

  /** Parameter names and shapes in the optimizer's order (decay group first). */
  private optimizerParamNames(): { names: string[]; shapes: (readonly number[])[] } {
    const byTensor = new Map<Tensor, string>(this.t.model.namedParameters().map(([n, p]) => [p, n]));
    const params = this.t.optimizer!.parameters();
    return { names: params.map((p) => byTensor.get(p)!), shapes: params.map((p) => p.shape) };
  }

  /** HF records output_dir/checkpoint-N (relative, as given). */
  private pathOf(name: string): string {
    return `${this.t.args.outputDir.replace(/[\\/]+$/, '')}/${name}`;
  }
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}
