// The text-classification predictor: texts → token ids → dynamically padded batches → logits → scores.
// Model- and tokenizer-agnostic through two small interfaces, so it serves any sequence classifier
// that follows DistilBertForSequenceClassification's forward() contract.

import { DataCollatorWithPadding } from '../data/collator.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { describeValue, optionsObject } from '../util/check.js';
import {
  checkTopK,
  defaultScoreFunction,
  scoreLogits,
  topLabels,
  type LabelConfig,
  type LabelScore,
  type ScoreFunction,
} from './postprocess.js';

/** What the predictor needs from a model (DistilBertForSequenceClassification provides it). */
export interface SequenceClassifier {
  readonly config: LabelConfig & { max_position_embeddings: number; num_labels: number };
  forward(inputs: { inputIds: BatchMatrix; attentionMask: BatchMatrix }): { logits: Tensor };
  /** Dropout mode (nn Module): prediction switches to eval and back, so a model mid-fine-tuning can be queried. */
  readonly training?: boolean;
  train?(mode?: boolean): unknown;
  eval(): unknown;
  dispose(): void;
}

/** What the predictor needs from a tokenizer (every Tokenizer provides it). */
export interface SequenceTokenizer {
  readonly padTokenId: number;
  readonly modelMaxLength: number;
  /** Ids it can produce; checked against the model's vocab_size when given. */
  readonly vocabSize?: number;
  encode(text: string, options: { truncation?: boolean; maxLength?: number }): { inputIds: number[]; attentionMask: number[] };
}

type BatchMatrix = { data: Int32Array; shape: readonly number[] };

export interface ClassifierOptions {
  /** Most texts per forward pass (default 8). Texts are grouped by length, so padding stays small. */
  batchSize?: number;
  /** Cut long texts to maxLength tokens (default true; HF's pipeline default is false and crashes over 512). */
  truncation?: boolean;
  /** Token limit with truncation, special tokens included. Default: the tokenizer's model_max_length,
   *  capped by the model's max_position_embeddings. */
  maxLength?: number;
  /** HF function_to_apply; default softmax, or sigmoid for multi_label_classification / one logit. */
  functionToApply?: ScoreFunction;
}

export class TextClassifier {
  readonly batchSize: number;
  readonly truncation: boolean;
  readonly maxLength: number;
  readonly functionToApply: ScoreFunction;
  private readonly collator: DataCollatorWithPadding;
  private disposed = false;

  constructor(
    readonly model: SequenceClassifier,
    readonly tokenizer: SequenceTokenizer,
    options: ClassifierOptions = {},
  ) {
    const positions = model.config.max_position_embeddings;
    this.batchSize = options.batchSize ?? 8;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new RangeError(`text-classification: batchSize must be a positive integer, got ${options.batchSize}`);
    }
    this.truncation = options.truncation ?? true;
    this.maxLength = options.maxLength ?? Math.min(tokenizer.modelMaxLength, positions);
    if (!Number.isInteger(this.maxLength) || this.maxLength < 2 || this.maxLength > positions) {
      throw new RangeError(
        `text-classification: maxLength must be an integer in [2, ${positions}] (the model's max_position_embeddings), got ${options.maxLength}`,
      );
    }
    this.functionToApply = options.functionToApply ?? defaultScoreFunction(model.config, model.config.num_labels);
    const modelVocab = (model.config as { vocab_size?: number }).vocab_size;
    if (tokenizer.vocabSize !== undefined && modelVocab !== undefined) checkVocabFits(tokenizer.vocabSize, modelVocab, 'the tokenizer', "the model's config");
    this.collator = new DataCollatorWithPadding({ padTokenId: tokenizer.padTokenId });
  }

  /** texts: [N] → N lists of the topK best labels (topK null: all labels, sorted; default 1). */
  async classify(texts: readonly string[], options: { topK?: number | null } = {}): Promise<LabelScore[][]> {
    if (this.disposed) throw new Error('text-classification: this pipeline was disposed');
    if (!Array.isArray(texts)) throw new TypeError(`text-classification: texts must be an array of strings, got ${describeValue(texts)}`);
    options = optionsObject(options, 'text-classification: classify');
    const topK = checkTopK(options.topK === undefined ? 1 : options.topK, 'text-classification');
    texts.forEach((t, i) => {
      if (typeof t !== 'string') throw new TypeError(`text-classification: input ${i} is ${typeof t}, expected a string`);
    });
    const logits = await this.logits(texts);
    return logits.map((row) => topLabels(scoreLogits(row, this.functionToApply), this.model.config, topK));
  }

  /** texts: [N] → N rows of f32 logits [num_labels], in input order. */
  async logits(texts: readonly string[]): Promise<Float32Array[]> {
    const encodings = texts.map((t, i) => this.encode(t, i));
    // Longest first, so each batch holds texts of similar length and pads little; results go back in order.
    const order = encodings.map((_, i) => i).sort((a, b) => encodings[b]!.inputIds.length - encodings[a]!.inputIds.length || a - b);
    const out = new Array<Float32Array>(texts.length);
    const wasTraining = this.model.training === true;
    this.model.eval(); // dropout off: a prediction must not be random
    try {
      for (const rows of this.batches(order, encodings)) {
        const values = await this.forwardBatch(rows.map((i) => encodings[i]!));
        rows.forEach((i, r) => (out[i] = values[r]!));
      }
    } finally {
      if (wasTraining) this.model.train?.(true);
    }
    return out;
  }

  /**
   * order: indices, longest first → batches of at most batchSize. A batch also ends where a text is under half
   * the batch's longest: padding a 10-token review to 512 would cost 50 times its own work.
   */
  private batches(order: number[], encodings: { inputIds: number[] }[]): number[][] {
    const out: number[][] = [];
    let current: number[] = [];
    for (const i of order) {
      const longest = current.length ? encodings[current[0]!]!.inputIds.length : 0;
      if (current.length === this.batchSize || encodings[i]!.inputIds.length * 2 < longest) {
        out.push(current);
        current = [];
      }
      current.push(i);
    }
    if (current.length) out.push(current);
    return out;
  }

  /** B encodings → B rows of logits [num_labels], from one padded [B, T] forward pass. */
  private async forwardBatch(encodings: { inputIds: number[]; attentionMask: number[] }[]): Promise<Float32Array[]> {
    const batch = this.collator.collate(encodings);
    const shape = [batch.batchSize, batch.seqLen];
    // logits: [B, num_labels]; everything else the forward made is freed by tidy.
    const logits = tidy(() =>
      noGrad(() => this.model.forward({ inputIds: { data: batch.inputIds, shape }, attentionMask: { data: batch.attentionMask, shape } }).logits),
    );
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

  private encode(text: string, index: number): { inputIds: number[]; attentionMask: number[] } {
    if (this.truncation) return this.tokenizer.encode(text, { truncation: true, maxLength: this.maxLength });
    const enc = this.tokenizer.encode(text, { truncation: false });
    const positions = this.model.config.max_position_embeddings;
    if (enc.inputIds.length > positions) {
      throw new Error(
        `text-classification: input ${index} has ${enc.inputIds.length} tokens, more than the model's ${positions} positions; ` +
          'leave truncation on (the default) to cut it',
      );
    }
    return enc;
  }
}

/**
 * A tokenizer with more ids than the model has embedding rows would index past the table at the first text that
 * uses a late id: refuse the pair up front, naming both files.
 */
export function checkVocabFits(tokenizerVocab: number, modelVocab: number, tokenizerWhere: string, configWhere: string): void {
  if (tokenizerVocab > modelVocab) {
    throw new Error(
      `${tokenizerWhere} has ${tokenizerVocab} ids but ${configWhere} has vocab_size ${modelVocab}: ids ${modelVocab}..${tokenizerVocab - 1} ` +
        'would index past the embedding table. Use the tokenizer files that came with this model',
    );
  }
}
