// The numbers a run is built from, computed once as HF's Trainer does (set_initial_training_values): batches and
// optimizer updates per epoch, total steps, epochs, warmup, and the logging / eval / save intervals in steps.
import { numBatches } from '../data/batches.js';
import { warmupStepsFor } from './schedule.js';
import type { TrainingArguments } from './training_args.js';
import type { TrainerControl } from './types.js';
import type { TrainerState } from './trainer_state.js';

export interface TrainPlan {
  numExamples: number;
  /** Micro-batches per epoch (the DataLoader's length). */
  batchesPerEpoch: number;
  /** Optimizer updates per epoch: ceil(batches / gradient_accumulation_steps), the last one possibly shorter. */
  updatesPerEpoch: number;
  maxSteps: number;
  /** Epochs the loop runs (the last may stop early at maxSteps). */
  numEpochs: number;
  warmupSteps: number;
  loggingSteps: number;
  evalSteps: number;
  saveSteps: number;
  /** Examples per optimizer update (batch × accumulation). */
  totalBatchSize: number;
}

export function makePlan(args: TrainingArguments, numExamples: number): TrainPlan {
  if (numExamples < 1) throw new Error('Trainer: the training dataset is empty');
  const batchesPerEpoch = numBatches(numExamples, args.perDeviceTrainBatchSize, { dropLast: args.dataloaderDropLast });
  if (batchesPerEpoch < 1) {
    throw new Error(
      `Trainer: ${numExamples} training examples make no full batch of ${args.perDeviceTrainBatchSize} with dataloader_drop_last`,
    );
  }
  const ga = args.gradientAccumulationSteps;
  const updatesPerEpoch = Math.max(1, Math.ceil(batchesPerEpoch / ga));
  let maxSteps: number;
  let numEpochs: number;
  if (args.maxSteps > 0) {
    maxSteps = args.maxSteps;
    numEpochs = Math.ceil(maxSteps / updatesPerEpoch);
  } else {
    maxSteps = Math.ceil(args.numTrainEpochs * updatesPerEpoch);
    numEpochs = Math.ceil(args.numTrainEpochs);
  }
  // Intervals below 1 are fractions of the run (HF: ceil(max_steps * ratio)).
  const interval = (v: number): number => (v < 1 ? Math.ceil(maxSteps * v) : v);
  return {
    numExamples,
    batchesPerEpoch,
    updatesPerEpoch,
    maxSteps,
    numEpochs,
    warmupSteps: warmupStepsFor(maxSteps, args.warmupSteps, args.warmupRatio),
    loggingSteps: interval(args.loggingSteps),
    evalSteps: interval(args.evalSteps ?? args.loggingSteps),
    saveSteps: interval(args.saveSteps),
    totalBatchSize: args.perDeviceTrainBatchSize * ga,
  };
}

export function emptyControl(): TrainerControl {
  return { shouldLog: false, shouldEvaluate: false, shouldSave: false, shouldTrainingStop: false };
}

/** HF DefaultFlowCallback.on_step_end. */
export function stepEndControl(args: TrainingArguments, state: TrainerState, plan: TrainPlan): TrainerControl {
  const c = emptyControl();
  const step = state.globalStep;
  if (step === 1 && args.loggingFirstStep) c.shouldLog = true;
  if (args.loggingStrategy === 'steps' && step % plan.loggingSteps === 0) c.shouldLog = true;
  if (args.evalStrategy === 'steps' && step % plan.evalSteps === 0) c.shouldEvaluate = true;
  if (args.saveStrategy === 'steps' && plan.saveSteps > 0 && step % plan.saveSteps === 0) c.shouldSave = true;
  if (step >= plan.maxSteps) {
    c.shouldTrainingStop = true;
    // Save the model at the end if we have a save strategy.
    if (args.saveStrategy === 'steps') c.shouldSave = true;
  }
  return c;
}

/** HF DefaultFlowCallback.on_epoch_end. */
export function epochEndControl(args: TrainingArguments, c: TrainerControl = emptyControl()): TrainerControl {
  if (args.loggingStrategy === 'epoch') c.shouldLog = true;
  if (args.evalStrategy === 'epoch') c.shouldEvaluate = true;
  if (args.saveStrategy === 'epoch') c.shouldSave = true;
  return c;
}
