// The training API that runs anywhere (Node and browsers): no file system here; Node's store is in node.ts.
export { Trainer, type TrainerOptions, type TrainOutput } from './trainer.js';
export {
  TrainingArguments,
  TrainingArgumentsError,
  TRAINING_ARGUMENT_DEFAULTS,
  TRAINING_ARGUMENT_FIELDS,
  SCHEDULER_TYPES,
  snakeName,
  type FieldSpec,
  type IntervalStrategy,
  type SaveStrategy,
  type SchedulerType,
  type TrainingArgumentsFields,
  type TrainingArgumentsInit,
} from './training_args.js';
export { LrScheduler, lrFactor, warmupStepsFor, type SchedulerState } from './schedule.js';
export {
  accuracy,
  f1,
  argmax,
  accuracyMetrics,
  classificationMetrics,
  type ComputeMetrics,
  type EvalPrediction,
  type F1Options,
} from './metrics.js';
export { MemoryCheckpointStore, type CheckpointStore, type FileMap } from './checkpoint_store.js';
export {
  pretrainedFiles,
  checkpointName,
  checkpointStep,
  latestCheckpoint,
  listCheckpoints,
  checkpointsToDelete,
  FILES as CHECKPOINT_FILES,
  type RngState,
} from './checkpoint.js';
export { TrainerState, type LogEntry } from './trainer_state.js';
export { makePlan, type TrainPlan } from './train_plan.js';
export { evaluationLoop, crossEntropySum, type EvalResult } from './evaluate.js';
export type {
  TrainableModel,
  SavableTokenizer,
  Collator,
  FeatureDataset,
  TrainerCallback,
  TrainerControl,
  StepInfo,
  HostMatrix,
} from './types.js';
