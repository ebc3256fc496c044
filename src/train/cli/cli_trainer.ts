// The Trainer as both command-line runs (the tutorial recipe and the built-in demo) set it up: classification
// metrics, checkpoints on disk, a progress reporter, Ctrl-C handling, and a note when resuming.
import { NodeCheckpointStore } from '../checkpoint_store_node.js';
import { classificationMetrics } from '../metrics.js';
import { Trainer } from '../trainer.js';
import type { TrainingArguments } from '../training_args.js';
import type { FeatureDataset, SavableTokenizer, TrainableModel, TrainerCallback } from '../types.js';
import type { InterruptGuard } from './interrupt.js';

export interface CliTrainerOptions {
  model: TrainableModel;
  args: TrainingArguments;
  trainDataset: FeatureDataset;
  evalDataset?: FeatureDataset;
  tokenizer: SavableTokenizer;
  progress: TrainerCallback;
  interrupts: InterruptGuard;
  stderr(text: string): void;
}

/** Builds the Trainer, arms Ctrl-C (checkpoint + stop from now on) and says where a resume starts from. */
export function createCliTrainer(o: CliTrainerOptions): Trainer {
  const { args } = o;
  const trainer = new Trainer({
    model: o.model,
    args,
    trainDataset: o.trainDataset,
    evalDataset: o.evalDataset,
    tokenizer: o.tokenizer,
    computeMetrics: classificationMetrics,
    store: new NodeCheckpointStore(args.outputDir),
    callbacks: [o.progress, o.interrupts.callback],
    onWarning: (m) => o.stderr(`warning: ${m}\n`),
  });
  o.interrupts.trainingStarted();
  if (args.resumeFromCheckpoint !== undefined && args.resumeFromCheckpoint !== false) {
    o.stderr(
      `Resuming from ${args.resumeFromCheckpoint === true ? `the latest checkpoint in ${args.outputDir}` : args.resumeFromCheckpoint}\n`,
    );
  }
  return trainer;
}
