// The Trainer: HF's training loop (transformers 4.57.6 Trainer._inner_training_loop) on our engine. Each optimizer
// update is forward/backward per micro-batch, the global grad norm and clip coefficient on the GPU, a fused AdamW
// step reading that coefficient on the GPU, then the host schedule. Nothing is read back during a step except on
// logging steps (loss and grad_norm) and when saving; every micro-batch runs inside tidy, so memory stays flat.
import { batchInputs, DataCollatorWithPadding, type CollatorFeature } from '../data/collator.js';
import { batches } from '../data/batches.js';
import { shuffledIndices } from '../data/shuffle.js';
import { backward } from '../autograd/tape.js';
import { addInto, zeros } from '../ops/basic.js';
import { mulScalar } from '../ops/elementwise.js';
import { AdamW } from '../optim/adamw.js';
import { gradNorm } from '../optim/clip.js';
import { init, runtime } from '../runtime/device.js';
import { keep, tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { pretrainedFiles } from './checkpoint.js';
import { defaultCheckpointStore, utf8, type CheckpointStore } from './checkpoint_store.js';
import { evaluationLoop } from './evaluate.js';
import { accuracyMetrics, type ComputeMetrics } from './metrics.js';
import { LrScheduler } from './schedule.js';
import { TrainerCheckpoints, type Position, type RunProgress } from './trainer_checkpoints.js';
import { TrainerState, type LogEntry } from './trainer_state.js';
import { TrainingArguments, TrainingArgumentsError } from './training_args.js';
import { checkFinite, NonFiniteError } from './numerics.js';
import { MixedPrecision } from './mixed_precision.js';
import type { GradScalerOptions } from '../optim/grad_scaler.js';
import { NonFiniteWeightsError } from '../models/common/pretrained_model.js';
import { describeValue } from '../util/check.js';
import { emptyControl, epochEndControl, makePlan, stepEndControl, type TrainPlan } from './train_plan.js';
import type {
  Collator,
  FeatureDataset,
  SavableTokenizer,
  TrainableModel,
  TrainerCallback,
  TrainerControl,
} from './types.js';

export interface TrainerOptions {
  model: TrainableModel;
  args?: TrainingArguments;
  trainDataset?: FeatureDataset;
  evalDataset?: FeatureDataset;
  /** Saved next to the model in checkpoints and the final directory (HF processing_class). */
  tokenizer?: SavableTokenizer;
  /** Default: DataCollatorWithPadding with the tokenizer's pad id. */
  dataCollator?: Collator;
  /** Default: accuracy (the tutorial's compute_metrics). */
  computeMetrics?: ComputeMetrics;
  callbacks?: TrainerCallback[];
  /** Where checkpoints go (default: the registered store for args.outputDir; Node: the file system). */
  store?: CheckpointStore;
  /** Receives warnings (e.g. an unreadable checkpoint skipped on resume). Default console.warn. */
  onWarning?: (message: string) => void;
  /** With fp16: the GradScaler's arguments (default torch's, as HF uses: 2^16, ×2 every 2000 steps, ×0.5). */
  gradScaler?: GradScalerOptions;
}

export interface TrainOutput {
  globalStep: number;
  trainingLoss: number;
  metrics: Record<string, number>;
  /** True when a callback stopped the run before max_steps (e.g. Ctrl-C); a checkpoint was written if asked. */
  stoppedEarly: boolean;
}

export class Trainer {
  readonly model: TrainableModel;
  readonly args: TrainingArguments;
  readonly state = new TrainerState();
  readonly store: CheckpointStore;
  readonly callbacks: TrainerCallback[];
  trainDataset?: FeatureDataset;
  evalDataset?: FeatureDataset;
  readonly tokenizer?: SavableTokenizer;
  readonly computeMetrics: ComputeMetrics;
  private readonly collator: Collator;
  optimizer?: AdamW;
  scheduler?: LrScheduler;
  private plan?: TrainPlan;
  /** Loss summed on the GPU since the last log ([1]); read only when logging or saving. */
  private trLoss?: Tensor;
  private lastGradNorm?: Tensor;
  private lastLr = 0;
  private lastLoggedStep = 0;
  private totalLoss = 0;
  private position: Position = { epoch: 0, done: 0, epochEndDone: false };
  private inflight: Promise<unknown> = Promise.resolve();
  private readonly ckpt: TrainerCheckpoints;
  /** fp16: autocast, the GradScaler and the GPU-scheduled optimizer (mixed_precision.ts). */
  amp?: MixedPrecision;
  private readonly scalerOptions?: GradScalerOptions;
  private nonEmbeddingParams = 0;
  /** Where warnings go (TrainerOptions.onWarning). */
  readonly warn: (message: string) => void;

  constructor(options: TrainerOptions) {
    checkTrainerOptions(options);
    this.warn = options.onWarning ?? ((m) => console.warn(m));
    this.model = options.model;
    this.args = options.args ?? new TrainingArguments();
    this.trainDataset = options.trainDataset;
    this.evalDataset = options.evalDataset;
    this.tokenizer = options.tokenizer;
    this.computeMetrics = options.computeMetrics ?? accuracyMetrics;
    this.callbacks = [...(options.callbacks ?? [])];
    this.store = options.store ?? defaultCheckpointStore(this.args.outputDir);
    const pad = options.tokenizer?.padTokenId;
    if (!options.dataCollator && pad === undefined) {
      throw new Error(
        'Trainer: give dataCollator, or a tokenizer with padTokenId for the default DataCollatorWithPadding',
      );
    }
    const padding = { padTokenId: pad!, padTokenTypeId: options.tokenizer?.padTokenTypeId };
    this.collator = options.dataCollator ?? new DataCollatorWithPadding(padding);
    if (this.args.evalStrategy !== 'no' && !this.evalDataset) {
      throw new Error(
        `Trainer: eval_strategy is "${this.args.evalStrategy}" but no evalDataset was given. Either set ` +
          `eval_strategy to "no" or pass an evalDataset.`,
      );
    }
    this.scalerOptions = options.gradScaler;
    if (this.args.fp16) {
      try {
        // The f16 weight copies, cast once per step: autocast's cast cache.
        this.model.setMatmulDtype('f16');
        this.amp = new MixedPrecision(this.scalerOptions);
      } catch (e) {
        throw new TrainingArgumentsError('fp16', (e as Error).message);
      }
    }
    this.ckpt = new TrainerCheckpoints(this);
    for (const [name, p] of this.model.namedParameters())
      if (!/_embeddings\.weight$/.test(name)) this.nonEmbeddingParams += p.size;
  }

  addCallback(cb: TrainerCallback): void {
    this.callbacks.push(cb);
  }

  /**
   * Runs training to max_steps (or until a callback stops it). resumeFromCheckpoint: a checkpoint, or true for the
   * latest.
   */
  async train(options: { resumeFromCheckpoint?: string | boolean } = {}): Promise<TrainOutput> {
    await init(); // no-op once the model exists (its parameters live on the GPU); kept so no entry point needs it first
    const { args, state, model } = this;
    const data = this.trainDataset;
    if (!data) throw new Error('Trainer.train: no trainDataset was given');
    const plan = (this.plan = makePlan(args, data.length));
    this.setup(plan);
    await this.store.removeStaleTemporaries();
    const resume = options.resumeFromCheckpoint ?? args.resumeFromCheckpoint;
    if (resume !== undefined && resume !== false) {
      const loaded = await this.ckpt.resume(resume, plan);
      this.position = loaded.position;
      this.lastLoggedStep = loaded.rng.globalstep_last_logged;
      this.totalLoss = loaded.rng.total_loss;
      runtime().upload(this.trLoss!.buffer, Float32Array.of(loaded.rng.tr_loss_since_log));
    } else {
      model.dropoutRng.seed = args.seed;
      model.dropoutRng.offset = 0;
    }
    model.train();
    for (const cb of this.callbacks) await cb.onTrainBegin?.(state);
    const started = performance.now();
    const startStep = state.globalStep;
    let stoppedEarly = false;
    for (let epoch = this.position.epoch; epoch < plan.numEpochs; epoch++) {
      const resumed = epoch === this.position.epoch;
      if (resumed && this.position.epochEndDone) continue;
      const order = batches(shuffledIndices(data.length, args.epochSeed(epoch)), args.perDeviceTrainBatchSize, {
        dropLast: args.dataloaderDropLast,
      });
      let done = resumed ? this.position.done : 0;
      let control: TrainerControl = emptyControl();
      while (done < order.length && state.globalStep < plan.maxSteps) {
        const micro = order.slice(done, done + args.gradientAccumulationSteps);
        await this.update(micro.map((idx) => idx.map((i) => data[i]!)));
        done += micro.length;
        state.globalStep++;
        state.epoch = epoch + done / order.length;
        this.position = { epoch, done, epochEndDone: false };
        control = stepEndControl(args, state, plan);
        const info = {
          state,
          control,
          examples: micro.reduce((s, b) => s + b.length, 0),
          elapsed: (performance.now() - started) / 1000,
        };
        for (const cb of this.callbacks) await cb.onStepEnd?.(info);
        await this.maybeLogSaveEvaluate(control);
        if (control.shouldTrainingStop) break;
      }
      if (control.shouldTrainingStop && state.globalStep < plan.maxSteps) {
        stoppedEarly = true; // stopped by a callback: no epoch-end evaluation
        break;
      }
      // HF runs the epoch end also when max_steps stops the loop mid-epoch.
      this.position = { epoch, done, epochEndDone: true };
      await this.maybeLogSaveEvaluate(epochEndControl(args));
      if (state.globalStep >= plan.maxSteps) break;
    }
    await this.inflight;
    const output = await this.finish(started, startStep, stoppedEarly);
    return output;
  }

  /** Evaluates on evalDataset (or the one given), logs the metrics and returns them (HF Trainer.evaluate). */
  async evaluate(dataset?: FeatureDataset, prefix = 'eval'): Promise<Record<string, number>> {
    await init();
    const ds = dataset ?? this.evalDataset;
    if (!ds) throw new Error('Trainer.evaluate: no evalDataset');
    const run = (): ReturnType<typeof evaluationLoop> =>
      evaluationLoop(this.model, ds, {
        batchSize: this.args.perDeviceEvalBatchSize,
        collator: this.collator,
        computeMetrics: this.computeMetrics,
        prefix,
      });
    // fp16: evaluation runs under autocast too (accelerate wraps the model's forward).
    const { metrics } = await (this.amp ? this.amp.autocast(run) : run());
    await this.log({ ...metrics });
    for (const cb of this.callbacks) await cb.onEvaluate?.(metrics, this.state);
    return metrics;
  }

  /**
   * The final model directory: save_pretrained's files, the tokenizer's files and training_args.json, at the output
   * root.
   */
  async saveModel(): Promise<void> {
    const files = await this.modelFiles();
    files.set('training_args.json', utf8.encode(`${JSON.stringify(this.args.toJSON(), null, 2)}\n`));
    await this.store.writeRoot(files);
  }

  /** trainer_state.json at the output root (HF save_state). */
  async saveState(): Promise<void> {
    await this.store.writeRoot(new Map([['trainer_state.json', utf8.encode(this.state.toJSONString())]]));
  }

  /** Appends to log_history (with epoch and step) and tells the callbacks. */
  async log(logs: LogEntry): Promise<void> {
    const entry: LogEntry = { ...logs, epoch: this.state.epoch, step: this.state.globalStep };
    this.state.logHistory.push(entry);
    for (const cb of this.callbacks) await cb.onLog?.(entry, this.state);
  }

  /** For checkpoints: the run's position and the loss bookkeeping (reads the GPU loss sum back). */
  async progress(): Promise<RunProgress> {
    return {
      position: { ...this.position },
      trLossSinceLog: this.trLoss ? ((await this.trLoss.data())[0] as number) : 0,
      lastLoggedStep: this.lastLoggedStep,
      totalLoss: this.totalLoss,
    };
  }

  /** The model directory's files (pretrainedFiles: weights, config, tokenizer); weights holding NaN or ±Inf are a
   *  NonFiniteError naming the step. */
  async modelFiles(): Promise<Map<string, Uint8Array>> {
    try {
      return await pretrainedFiles(this.model, this.tokenizer);
    } catch (e) {
      if (e instanceof NonFiniteWeightsError) {
        throw new NonFiniteError(
          this.state.globalStep,
          `the model's parameter "${e.parameter}" holds ${e.count} non-finite values (NaN or ±Inf) of ${e.size}`,
        );
      }
      throw e;
    }
  }

  /** The plan of the current (or last) train() call. */
  get trainPlan(): TrainPlan | undefined {
    return this.plan;
  }

  /** FLOPs of one training example of `tokens` tokens (HF floating_point_ops: 6 · non-embedding params · tokens). */
  flopsPerToken(): number {
    return 6 * this.nonEmbeddingParams;
  }

  private setup(plan: TrainPlan): void {
    const { args, state, model } = this;
    this.optimizer?.dispose();
    this.optimizer = new AdamW(model.optimizerGroups(args.weightDecay), {
      lr: args.learningRate,
      betas: [args.adamBeta1, args.adamBeta2],
      eps: args.adamEpsilon,
    });
    this.scheduler = new LrScheduler(args.lrSchedulerType, args.learningRate, plan.warmupSteps, plan.maxSteps);
    if (this.amp) {
      this.amp.dispose();
      this.amp = new MixedPrecision(this.scalerOptions);
      this.amp.schedule(this.optimizer, this.scheduler, plan.maxSteps);
    }
    this.trLoss?.dispose();
    this.trLoss = keep(zeros([1]));
    Object.assign(state, new TrainerState());
    state.maxSteps = plan.maxSteps;
    state.numTrainEpochs = plan.numEpochs;
    state.loggingSteps = plan.loggingSteps;
    state.evalSteps = plan.evalSteps;
    state.saveSteps = plan.saveSteps;
    state.trainBatchSize = args.perDeviceTrainBatchSize;
    this.position = { epoch: 0, done: 0, epochEndDone: false };
    this.lastLoggedStep = 0;
    this.totalLoss = 0;
  }

  /** One optimizer update over `micro` micro-batches (HF: each micro-batch loss divided by their count). */
  private async update(micro: CollatorFeature[][]): Promise<void> {
    const { model, args } = this;
    const count = micro.length;
    for (const features of micro) {
      const batch = this.collator.collate(features);
      if (!batch.labels) throw new Error('Trainer: training examples need labels (a "label" field)');
      const amp = this.amp;
      tidy(() => {
        const forward = () => model.forward(batchInputs(batch, true));
        const out = amp ? amp.autocast(forward) : forward();
        if (!out.loss) throw new Error('Trainer: the model returned no loss for a labelled batch');
        const loss = count > 1 ? mulScalar(out.loss, 1 / count) : out.loss;
        if (amp) {
          amp.backward(loss);
          amp.addLoss(this.trLoss!, loss, this.state.globalStep - this.lastLoggedStep);
        } else {
          backward(loss);
          addInto(this.trLoss!, loss);
        }
      });
      this.state.totalFlos += this.flopsPerToken() * batch.batchSize * batch.seqLen;
    }
    this.lastGradNorm?.dispose();
    this.lastGradNorm = undefined;
    this.lastLr = this.scheduler!.lr; // the lr this step uses: what HF logs (fp16: read at the log instead)
    tidy(() => {
      const grads = model.namedParameters().flatMap(([, p]) => (p.grad ? [p.grad] : []));
      // (pre-clip norm, clip coefficient) stay on the GPU: AdamW reads the coefficient there.
      const clip = (gs: Tensor[]): Tensor | undefined =>
        args.maxGradNorm > 0 ? (this.lastGradNorm = keep(gradNorm(gs, args.maxGradNorm))) : undefined;
      if (this.amp) this.amp.step(this.optimizer!, grads, clip);
      else this.optimizer!.stepWith(this.lastLr, clip(grads));
    });
    if (!this.amp) this.scheduler!.step(); // fp16: the GPU counts the steps taken
    model.zeroGrad();
    // Keep one update in flight: the host encodes step k+1 while the GPU runs step k, but never runs further ahead.
    const rt = runtime();
    rt.flush();
    const done = rt.device.queue.onSubmittedWorkDone();
    await this.inflight;
    rt.throwIfFailed();
    this.inflight = done;
  }

  /** HF _maybe_log_save_evaluate: log, then evaluate (best metric), then save. */
  private async maybeLogSaveEvaluate(control: TrainerControl): Promise<void> {
    if (control.shouldLog && this.state.globalStep > this.lastLoggedStep) await this.logTrainingLoss();
    let isNewBest = false;
    if (control.shouldEvaluate) {
      const metrics = await this.evaluate();
      checkFinite(this.state.globalStep, { eval_loss: metrics.eval_loss }, ' on the evaluation set');
      isNewBest = this.ckpt.updateBestMetric(metrics);
      if (this.args.saveStrategy === 'best') control.shouldSave = isNewBest;
    }
    if (control.shouldSave) await this.ckpt.save(isNewBest);
  }

  private async logTrainingLoss(): Promise<void> {
    const sum = (await this.trLoss!.data())[0] as number;
    const gradNorm = this.lastGradNorm ? ((await this.lastGradNorm.data())[0] as number) : undefined;
    const since =
      this.lastLoggedStep + 1 < this.state.globalStep
        ? ` (loss summed over steps ${this.lastLoggedStep + 1}-${this.state.globalStep})`
        : '';
    // fp16: a step the scaler skipped has a non-finite norm by design (HF logs it); divergence shows in the scale.
    checkFinite(this.state.globalStep, { loss: sum, grad_norm: this.amp ? undefined : gradNorm }, since);
    if (this.amp) this.lastLr = await this.amp.syncAtLog(this.optimizer!, this.scheduler!, this.state.globalStep);
    runtime().upload(this.trLoss!.buffer, new Float32Array(1));
    const logs: LogEntry = { loss: Number((sum / (this.state.globalStep - this.lastLoggedStep)).toFixed(4)) };
    if (gradNorm !== undefined) logs.grad_norm = gradNorm;
    logs.learning_rate = this.lastLr;
    this.totalLoss += sum;
    this.lastLoggedStep = this.state.globalStep;
    await this.log(logs);
  }

  private async finish(started: number, startStep: number, stoppedEarly: boolean): Promise<TrainOutput> {
    const { state, args } = this;
    const plan = this.plan!;
    const remaining = (await this.trLoss!.data())[0] as number;
    checkFinite(
      state.globalStep,
      { loss: remaining },
      ` (loss summed over steps ${this.lastLoggedStep + 1}-${state.globalStep})`,
    );
    const trainingLoss = (this.totalLoss + remaining) / Math.max(state.globalStep, 0.001);
    const metrics: Record<string, number> = {};
    if (!stoppedEarly) {
      if (args.loadBestModelAtEnd && state.bestModelCheckpoint !== undefined) await this.ckpt.loadBest();
      const runtimeS = (performance.now() - started) / 1000;
      const samples = args.maxSteps > 0 ? args.maxSteps * plan.totalBatchSize : plan.numExamples * args.numTrainEpochs;
      Object.assign(metrics, {
        train_runtime: Number(runtimeS.toFixed(4)),
        train_samples_per_second: Number((samples / runtimeS).toFixed(3)),
        train_steps_per_second: Number(((state.globalStep - startStep) / runtimeS).toFixed(3)),
        total_flos: state.totalFlos,
        train_loss: trainingLoss,
      });
      await this.log({ ...metrics });
      await this.ckpt.dropAllButBestWhenLimitIsOne();
    }
    for (const cb of this.callbacks) await cb.onTrainEnd?.(state);
    return { globalStep: state.globalStep, trainingLoss, metrics, stoppedEarly };
  }

  /** Frees the optimizer state and the loss accumulator (not the model). */
  dispose(): void {
    this.optimizer?.dispose();
    this.trLoss?.dispose();
    this.lastGradNorm?.dispose();
    this.amp?.dispose();
  }
}

/** The constructor's argument, checked before use: each wrong field is named with what it should be. */
function checkTrainerOptions(o: TrainerOptions): void {
  if (o === null || typeof o !== 'object')
    throw new TypeError(
      `Trainer: expected an options object { model, args, trainDataset, … }, got ${describeValue(o)}`,
    );
  const m = o.model as Partial<TrainableModel> | undefined;
  if (!m || typeof m !== 'object' || typeof m.forward !== 'function' || typeof m.namedParameters !== 'function') {
    throw new TypeError(
      `Trainer: model must be a model with forward() and namedParameters() (e.g. ` +
        `AutoModelForSequenceClassification.fromPretrained(dir)), got ${describeValue(m)}`,
    );
  }
  if (o.args !== undefined && !(o.args instanceof TrainingArguments)) {
    throw new TypeError(
      `Trainer: args must be a TrainingArguments (new TrainingArguments({...})), got ${describeValue(o.args)}`,
    );
  }
  for (const key of ['trainDataset', 'evalDataset'] as const) {
    const d = o[key];
    if (
      d !== undefined &&
      (d === null || typeof d !== 'object' || typeof (d as ArrayLike<unknown>).length !== 'number')
    ) {
      throw new TypeError(
        `Trainer: ${key} must be an array of features ({ inputIds, label }), got ${describeValue(d)}`,
      );
    }
  }
  if (o.callbacks !== undefined && !Array.isArray(o.callbacks))
    throw new TypeError(`Trainer: callbacks must be an array, got ${describeValue(o.callbacks)}`);
}
