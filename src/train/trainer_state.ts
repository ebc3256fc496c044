// TrainerState: the progress record HF saves as trainer_state.json (json.dumps(indent=2, sort_keys=True)),
// with the same keys, so tools that read HF's file read ours.
import { pythonJsonDumps } from '../models/common/python_json.js';

export type LogEntry = Record<string, number>;

// Python floats in HF's file (so 1 is written "1.0"); everything else numeric is an int.
const FLOAT_KEYS = new Set([
  'epoch',
  'loss',
  'learning_rate',
  'grad_norm',
  'best_metric',
  'train_loss',
  'train_runtime',
  'train_samples_per_second',
  'train_steps_per_second',
  'eval_runtime',
  'eval_samples_per_second',
  'eval_steps_per_second',
]);

export class TrainerState {
  globalStep = 0;
  /** Fractional epochs completed (HF: epoch + (micro-batches done in it) / micro-batches per epoch). */
  epoch = 0;
  maxSteps = 0;
  numTrainEpochs = 0;
  loggingSteps = 500;
  evalSteps = 500;
  saveSteps = 500;
  trainBatchSize = 8;
  logHistory: LogEntry[] = [];
  bestMetric: number | undefined;
  bestGlobalStep: number | undefined;
  bestModelCheckpoint: string | undefined;
  totalFlos = 0;

  toJSON(): Record<string, unknown> {
    return {
      best_global_step: this.bestGlobalStep ?? null,
      best_metric: this.bestMetric ?? null,
      best_model_checkpoint: this.bestModelCheckpoint ?? null,
      epoch: this.epoch,
      eval_steps: this.evalSteps,
      global_step: this.globalStep,
      is_hyper_param_search: false,
      is_local_process_zero: true,
      is_world_process_zero: true,
      log_history: this.logHistory,
      logging_steps: this.loggingSteps,
      max_steps: this.maxSteps,
      num_input_tokens_seen: 0,
      num_train_epochs: this.numTrainEpochs,
      save_steps: this.saveSteps,
      stateful_callbacks: {},
      total_flos: this.totalFlos,
      train_batch_size: this.trainBatchSize,
      trial_name: null,
      trial_params: null,
    };
  }

  /** The text of trainer_state.json. */
  toJSONString(): string {
    return `${pythonJsonDumps(this.toJSON(), FLOAT_KEYS)}\n`;
  }

  static fromJSON(obj: Record<string, unknown>, where = 'trainer_state.json'): TrainerState {
    const s = new TrainerState();
    const num = (k: string): number => {
      const v = obj[k];
      if (typeof v !== 'number') throw new Error(`${where}: "${k}" must be a number, got ${JSON.stringify(v)}`);
      return v;
    };
    const opt = <T>(k: string): T | undefined => (obj[k] === null || obj[k] === undefined ? undefined : (obj[k] as T));
    s.globalStep = num('global_step');
    s.epoch = num('epoch');
    s.maxSteps = num('max_steps');
    s.numTrainEpochs = num('num_train_epochs');
    s.loggingSteps = num('logging_steps');
    s.evalSteps = num('eval_steps');
    s.saveSteps = num('save_steps');
    s.trainBatchSize = num('train_batch_size');
    s.totalFlos = typeof obj.total_flos === 'number' ? obj.total_flos : 0;
    if (!Array.isArray(obj.log_history)) throw new Error(`${where}: "log_history" must be a list`);
    s.logHistory = obj.log_history as LogEntry[];
    s.bestMetric = opt<number>('best_metric');
    s.bestGlobalStep = opt<number>('best_global_step');
    s.bestModelCheckpoint = opt<string>('best_model_checkpoint');
    return s;
  }
}
