// Messages between the demo page (demo.ts) and its Web Worker (worker.ts). The worker owns the GPU,
// the model and the tokenizer; the page only sends texts and draws what comes back, so it never
// freezes while a forward pass or a training step runs.

import type { LabelScore } from '../pipeline/postprocess.js';

/** A model given by URL (fetched with progress) or as files the user picked (sent as bytes). */
export type ModelSource = { kind: 'url'; url: string } | { kind: 'files'; files: { name: string; bytes: ArrayBuffer }[] };

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

export type WorkerRequest =
  | { type: 'load'; id: number; source: ModelSource }
  | { type: 'classify'; id: number; texts: string[]; topK: number | null }
  | { type: 'train'; id: number; examples: LabeledExample[]; settings: TrainSettings };

export interface ModelInfo {
  adapter: string;
  features: string[];
  /** id2label as an array: labels[i] names class i. */
  labels: string[];
  parameters: number;
  layers: number;
  dim: number;
  maxLength: number;
  loadMs: number;
}

export type WorkerEvent =
  | { type: 'progress'; id: number; file: string; loaded: number; total: number }
  | { type: 'loaded'; id: number; info: ModelInfo }
  | { type: 'classified'; id: number; results: LabelScore[][]; ms: number }
  | { type: 'trainLog'; id: number; step: number; maxSteps: number; epoch: number; loss: number; learningRate: number }
  | { type: 'trained'; id: number; steps: number; ms: number; losses: number[] }
  | { type: 'error'; id: number; message: string };
