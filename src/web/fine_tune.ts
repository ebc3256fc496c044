// In-tab fine-tuning for the demo: the same Trainer as dist/train.js (HF's loop: AdamW with the decay split,
// linear decay, grad clipping), the same tokenizing as the CLI (src/data/tokenize.ts), checkpoints kept in memory.
// Reported: the engine's memory() after every step, the loss at up to MAX_LOSS_POINTS logging steps (each log reads
// the loss back, which stalls the GPU queue, so a long run logs every few steps), the accuracy at every epoch.

import type { TextClassificationDataset } from '../data/types.js';
import { tokenizeDataset } from '../data/tokenize.js';
import { memory } from '../engine.js';
import type { TextClassificationPipeline } from '../pipeline/pipeline.js';
import { MemoryCheckpointStore, Trainer, TrainingArguments } from '../train/index.js';
import type { MemorySample, TrainSettings } from './protocol.js';

/** Most points of the loss curve: longer runs log the (averaged) loss every few steps. */
export const MAX_LOSS_POINTS = 100;

export interface FineTuneHooks {
  onStart(info: { trainExamples: number; evalExamples: number; maxSteps: number }): void;
  /** After every optimizer step (no GPU readback): training time so far, evaluations excluded, and memory(). */
  onStep(info: { step: number; maxSteps: number; epoch: number; trainMs: number; memory: MemorySample }): void;
  /** At each logging step: the training loss averaged since the last one. */
  onLog(log: { step: number; loss: number; learningRate: number }): void;
  onEval(result: { epoch: number; step: number; accuracy: number; loss: number }): void;
}

/** classifier's model, train (and eval) examples → steps run and the logged losses; hooks hear steps, logs, evaluations. */
export async function fineTune(
  classifier: TextClassificationPipeline,
  splits: { train: TextClassificationDataset; eval?: TextClassificationDataset },
  settings: TrainSettings,
  hooks: FineTuneHooks,
): Promise<{ steps: number; losses: number[] }> {
  const { model, tokenizer } = classifier;
  // Same truncation as prediction, so the model is trained on what it will be asked about.
  const maxLength = classifier.classifier.maxLength;
  const steps = settings.epochs * Math.ceil(splits.train.texts.length / settings.batchSize);
  const args = new TrainingArguments({
    outputDir: 'in-tab',
    numTrainEpochs: settings.epochs,
    perDeviceTrainBatchSize: settings.batchSize,
    perDeviceEvalBatchSize: settings.batchSize,
    learningRate: settings.learningRate,
    weightDecay: 0.01,
    loggingSteps: Math.max(1, Math.ceil(steps / MAX_LOSS_POINTS)),
    evalStrategy: splits.eval ? 'epoch' : 'no', // the accuracy per epoch on the chart
    saveStrategy: 'no',
    seed: settings.seed,
  });
  const losses: number[] = [];
  let started = 0;
  let evalMs = 0;
  const trainer = new Trainer({
    model,
    args,
    trainDataset: tokenizeDataset(tokenizer, splits.train, maxLength),
    evalDataset: splits.eval && tokenizeDataset(tokenizer, splits.eval, maxLength),
    tokenizer,
    store: new MemoryCheckpointStore('in-tab'),
    callbacks: [
      {
        onTrainBegin(state) {
          started = performance.now();
          hooks.onStart({
            trainExamples: splits.train.texts.length,
            evalExamples: splits.eval?.texts.length ?? 0,
            maxSteps: state.maxSteps,
          });
        },
        onStepEnd({ state }) {
          const m = memory();
          hooks.onStep({
            step: state.globalStep,
            maxSteps: state.maxSteps,
            epoch: state.epoch,
            trainMs: performance.now() - started - evalMs,
            memory: {
              step: state.globalStep,
              bytesAllocated: m.bytesAllocated,
              bytesInUse: m.bytesInUse,
              liveTensors: m.liveTensors,
            },
          });
        },
        onLog(entry, state) {
          if (entry.loss === undefined) return; // evaluation entries and the final summary have no training loss
          losses.push(entry.loss);
          hooks.onLog({ step: state.globalStep, loss: entry.loss, learningRate: entry.learning_rate ?? 0 });
        },
        onEvaluate(metrics, state) {
          hooks.onEval({
            epoch: state.epoch,
            step: state.globalStep,
            accuracy: metrics.eval_accuracy ?? NaN,
            loss: metrics.eval_loss ?? NaN,
          });
          evalMs += (metrics.eval_runtime ?? 0) * 1000; // evaluation time is not training time
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
  return { steps: trainer.state.globalStep, losses };
}
