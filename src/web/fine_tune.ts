// In-tab fine-tuning for the demo: the same Trainer as dist/train.js (HF's loop: AdamW with the decay split,
// linear decay, grad clipping), with checkpoints kept in memory and the loss reported at every step.

import type { TextClassificationPipeline } from '../pipeline/pipeline.js';
import { MemoryCheckpointStore, Trainer, TrainingArguments } from '../train/index.js';
import type { LabeledExample, TrainSettings } from './protocol.js';

export interface StepLog {
  step: number;
  maxSteps: number;
  epoch: number;
  loss: number;
  learningRate: number;
}

/** classifier's model, examples → per-step training losses; onStep hears each one as it is logged. */
export async function fineTune(
  classifier: TextClassificationPipeline,
  examples: readonly LabeledExample[],
  settings: TrainSettings,
  onStep: (log: StepLog) => void,
): Promise<number[]> {
  const { model, tokenizer } = classifier;
  // Same truncation as prediction, so the model is trained on what it will be asked about.
  const features = examples.map((ex) => ({ ...tokenizer.encode(ex.text, { truncation: true, maxLength: classifier.classifier.maxLength }), label: ex.label }));
  const args = new TrainingArguments({
    outputDir: 'in-tab',
    numTrainEpochs: settings.epochs,
    perDeviceTrainBatchSize: settings.batchSize,
    learningRate: settings.learningRate,
    weightDecay: 0.01,
    loggingSteps: 1, // a point on the chart per optimizer step
    saveStrategy: 'no',
    seed: settings.seed,
  });
  const losses: number[] = [];
  const trainer = new Trainer({
    model,
    args,
    trainDataset: features,
    tokenizer,
    store: new MemoryCheckpointStore('in-tab'),
    callbacks: [
      {
        onLog(entry, state) {
          if (entry.loss === undefined) return; // the final summary entry has train_loss instead
          losses.push(entry.loss);
          onStep({ step: state.globalStep, maxSteps: state.maxSteps, epoch: entry.epoch ?? state.epoch, loss: entry.loss, learningRate: entry.learning_rate ?? 0 });
        },
      },
    ],
  });
  try {
    await trainer.train();
  } finally {
    trainer.dispose();
    model.eval();
  }
  return losses;
}
