// Messages between the demo page (demo.ts) and its Web Worker (worker.ts). The worker owns the GPU,
// the model and the tokenizer; the page only sends texts and draws what comes back, so it never
// freezes while a forward pass or a training step runs.

import type { LabelScore } from '../pipeline/postprocess.js';

/** A file as bytes (picked by the user, or made by the worker). */
export interface NamedBytes {
  name: string;
  bytes: ArrayBuffer;
}

/** A model given by URL (fetched with progress), by Hub id (through the Cache API) or as files the user picked. */
export type ModelSource =
  { kind: 'url'; url: string } | { kind: 'hub'; id: string; host: string } | { kind: 'files'; files: NamedBytes[] };

export interface TrainSettings {
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
}

/** One labeled example; label is the class id. */
export interface LabeledExample {
  text: string;
  label: number;
}

/**
 * What to train on: examples typed in the page, or a picked JSONL/CSV/TSV file (parsed in the worker by the same
 * readers as Node). Evaluation: a picked eval file, else evalFraction of the training data held out (0: none).
 */
export interface TrainData {
  train: { kind: 'examples'; examples: LabeledExample[] } | { kind: 'file'; file: NamedBytes };
  evalFile?: NamedBytes;
  evalFraction: number;
}

export type WorkerRequest =
  | { type: 'init'; id: number }
  | { type: 'load'; id: number; source: ModelSource }
  | { type: 'classify'; id: number; texts: string[]; topK: number | null }
  | { type: 'train'; id: number; data: TrainData; settings: TrainSettings }
  | { type: 'export'; id: number; as: 'zip' | 'files' };

export interface ModelInfo {
  adapter: string;
  features: string[];
  /** id2label as an array: labels[i] names class i. */
  labels: string[];
  parameters: number;
  /** The model family ("DistilBERT", "BERT", "RoBERTa"). */
  family: string;
  layers: number;
  dim: number;
  maxLength: number;
  loadMs: number;
  /** Files read, and how many of them came over the network (the rest: the browser cache or picked files). */
  files: number;
  downloaded: number;
}

/** The engine's memory() after an optimizer step: bytes the buffer pool holds, and tensors alive. */
export interface MemorySample {
  step: number;
  bytesAllocated: number;
  bytesInUse: number;
  liveTensors: number;
}

export type WorkerEvent =
  | { type: 'ready'; id: number; adapter: string; features: string[] }
  | { type: 'progress'; id: number; file: string; loaded: number; total: number }
  | { type: 'loaded'; id: number; info: ModelInfo }
  | { type: 'classified'; id: number; results: LabelScore[][]; ms: number }
  | { type: 'trainStart'; id: number; trainExamples: number; evalExamples: number; maxSteps: number }
  | {
      type: 'trainStep';
      id: number;
      step: number;
      maxSteps: number;
      epoch: number;
      /** Training time so far (evaluations excluded), for the ETA. */
      trainMs: number;
      memory: MemorySample;
    }
  | { type: 'trainLog'; id: number; step: number; loss: number; learningRate: number }
  | { type: 'trainEval'; id: number; epoch: number; step: number; accuracy: number; loss: number }
  /** losses: the logged training losses (every step in short runs; see MAX_LOSS_POINTS). */
  | { type: 'trained'; id: number; steps: number; ms: number; losses: number[] }
  | { type: 'exported'; id: number; name: string; files: NamedBytes[] }
  | { type: 'error'; id: number; message: string };
