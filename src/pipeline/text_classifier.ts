// The text-classification predictor: texts → token ids → dynamically padded batches → logits → scores.
// Model- and tokenizer-agnostic through two small interfaces, so it serves every sequence classifier of the
// registry (DistilBERT, BERT, RoBERTa: the …ForSequenceClassification forward() contract).

import type { HostMatrix } from '../data/collator.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { optionsObject } from '../util/check.js';
import {
  checkTopK,
  defaultScoreFunction,
  scoreLogits,
  topLabels,
  type LabelConfig,
  type LabelScore,
  type ScoreFunction,
} from './postprocess.js';
import { TextBatches, type BatchingOptions, type SequenceTokenizer, type TextEncoding } from './text_batches.js';

export type { SequenceTokenizer } from './text_batches.js';

/** What the predictor needs from a model (every …ForSequenceClassification provides it). */
export interface SequenceClassifier {
  readonly config: LabelConfig & { max_position_embeddings: number; num_labels: number };
  /** The longest input in tokens (RoBERTa: fewer than max_position_embeddings); default max_position_embeddings. */
  readonly maxSequenceLength?: number;
  forward(inputs: { inputIds: HostMatrix; attentionMask: HostMatrix; tokenTypeIds?: HostMatrix }): { logits: Tensor };
  /** Dropout mode (nn Module): prediction switches to eval and back, so a model mid-fine-tuning can be queried. */
  readonly training?: boolean;
  train?(mode?: boolean): unknown;
  eval(): unknown;
  dispose(): void;
}

export interface ClassifierOptions extends BatchingOptions {
  /** HF function_to_apply; default softmax, or sigmoid for multi_label_classification / one logit. */
  functionToApply?: ScoreFunction;
}

export class TextClassifier {
  readonly functionToApply: ScoreFunction;
  private readonly batching: TextBatches;
  private disposed = false;

  constructor(
    readonly model: SequenceClassifier,
    readonly tokenizer: SequenceTokenizer,
    options: ClassifierOptions = {},
  ) {
    const maxTokens = model.maxSequenceLength ?? model.config.max_position_embeddings;
    this.batching = new TextBatches(tokenizer, maxTokens, options, 'text-classification');
    this.functionToApply = options.functionToApply ?? defaultScoreFunction(model.config, model.config.num_labels);
    const modelVocab = (model.config as { vocab_size?: number }).vocab_size;
    if (tokenizer.vocabSize !== undefined && modelVocab !== undefined)
      checkVocabFits(tokenizer.vocabSize, modelVocab, 'the tokenizer', "the model's config");
  }

  get batchSize(): number {
    return this.batching.batchSize;
  }
  get truncation(): boolean {
    return this.batching.truncation;
  }
  /** The token limit texts are cut to (special tokens included). */
  get maxLength(): number {
    return this.batching.maxLength;
  }

  /** texts: [N] → N lists of the topK best labels (topK null: all labels, sorted; default 1). */
  async classify(texts: readonly string[], options: { topK?: number | null } = {}): Promise<LabelScore[][]> {
    if (this.disposed) throw new Error('text-classification: this pipeline was disposed');
    options = optionsObject(options, 'text-classification: classify');
    const topK = checkTopK(options.topK === undefined ? 1 : options.topK, 'text-classification');
    const logits = await this.logits(texts);
    return logits.map((row) => topLabels(scoreLogits(row, this.functionToApply), this.model.config, topK));
  }

  /** texts: [N] → N rows of f32 logits [num_labels], in input order. */
  async logits(texts: readonly string[]): Promise<Float32Array[]> {
    const encodings = this.batching.encodeAll(texts);
    const out = new Array<Float32Array>(texts.length);
    const wasTraining = this.model.training === true;
    this.model.eval(); // dropout off: a prediction must not be random
    try {
      // Longest first, so each batch holds texts of similar length and pads little; results go back in order.
      for (const rows of this.batching.plan(encodings)) {
        const values = await this.forwardBatch(rows.map((i) => encodings[i]!));
        rows.forEach((i, r) => (out[i] = values[r]!));
      }
    } finally {
      if (wasTraining) this.model.train?.(true);
    }
    return out;
  }

  /** B encodings → B rows of logits [num_labels], from one padded [B, T] forward pass. */
  private async forwardBatch(encodings: TextEncoding[]): Promise<Float32Array[]> {
    const inputs = this.batching.inputs(encodings);
    // logits: [B, num_labels]; everything else the forward made is freed by tidy.
    const logits = tidy(() => noGrad(() => this.model.forward(inputs).logits));
    try {
      const values = (await logits.data()) as Float32Array;
      const c = this.model.config.num_labels;
      return encodings.map((_, r) => values.slice(r * c, (r + 1) * c));
    } finally {
      logits.dispose();
    }
  }

  /** Frees the model's GPU memory; the classifier cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}

/**
 * A tokenizer with more ids than the model has embedding rows would index past the table at the first text that
 * uses a late id: refuse the pair up front, naming both files.
 */
export function checkVocabFits(
  tokenizerVocab: number,
  modelVocab: number,
  tokenizerWhere: string,
  configWhere: string,
): void {
  if (tokenizerVocab > modelVocab) {
    throw new Error(
      `${tokenizerWhere} has ${tokenizerVocab} ids but ${configWhere} has vocab_size ${modelVocab}: ids ` +
        `${modelVocab}..${tokenizerVocab - 1} ` +
        'would index past the embedding table. Use the tokenizer files that came with this model',
    );
  }
}
