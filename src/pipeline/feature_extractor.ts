// The feature-extraction predictor: texts → token ids → padded batches → the base model's last hidden state, read
// back per text (its own tokens only, as HF's pipeline returns it), optionally pooled into one sentence embedding
// (pooling.ts: sentence-transformers' mean or the first token, then L2). Any base model of the registry serves.
import type { HostMatrix } from '../data/collator.js';
import { tidy } from '../tensor/scope.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { optionsObject } from '../util/check.js';
import { poolEmbeddings, type Pooling } from './pooling.js';
import { TextBatches, type BatchingOptions, type SequenceTokenizer, type TextEncoding } from './text_batches.js';
import { checkVocabFits } from './text_classifier.js';

/** What feature extraction needs from a model (BertModel, RobertaModel, DistilBertModel provide it). */
export interface HiddenStateModel {
  readonly config: { vocab_size?: number };
  /** The longest input in tokens. */
  readonly maxSequenceLength: number;
  forward(inputs: { inputIds: HostMatrix; attentionMask: HostMatrix; tokenTypeIds?: HostMatrix }): {
    lastHiddenState: Tensor;
  };
  readonly training?: boolean;
  train?(mode?: boolean): unknown;
  eval(): unknown;
  dispose(): void;
}

export interface FeatureOptions {
  /** 'none' (default): every token's state, HF's output; 'mean' or 'cls': one embedding per text. */
  pooling?: Pooling | 'none';
  /** L2-normalise each pooled embedding (sentence-transformers' Normalize); needs pooling. */
  normalize?: boolean;
}

export type ExtractorOptions = BatchingOptions & FeatureOptions;

/** Per text: [tokens][hidden] (no pooling) or [hidden] (pooled). */
export type Features = number[][] | number[];

export class FeatureExtractor {
  readonly defaults: Required<FeatureOptions>;
  private readonly batching: TextBatches;
  private disposed = false;

  constructor(
    readonly model: HiddenStateModel,
    readonly tokenizer: SequenceTokenizer,
    options: ExtractorOptions = {},
  ) {
    this.batching = new TextBatches(tokenizer, model.maxSequenceLength, options, 'feature-extraction');
    this.defaults = checkFeatureOptions({ pooling: options.pooling ?? 'none', normalize: options.normalize ?? false });
    const modelVocab = model.config.vocab_size;
    if (tokenizer.vocabSize !== undefined && modelVocab !== undefined)
      checkVocabFits(tokenizer.vocabSize, modelVocab, 'the tokenizer', "the model's config");
  }

  /** The token limit texts are cut to (special tokens included). */
  get maxLength(): number {
    return this.batching.maxLength;
  }

  /** texts: [N] → N results: each text's token states [T_i][hidden], or one embedding [hidden] with pooling. */
  async extract(texts: readonly string[], options: FeatureOptions = {}): Promise<Features[]> {
    if (this.disposed) throw new Error('feature-extraction: this pipeline was disposed');
    options = optionsObject(options, 'feature-extraction: extract');
    const { pooling, normalize } = checkFeatureOptions({ ...this.defaults, ...options });
    const encodings = this.batching.encodeAll(texts);
    const out = new Array<Features>(texts.length);
    const wasTraining = this.model.training === true;
    this.model.eval(); // dropout off: features must not be random
    try {
      for (const rows of this.batching.plan(encodings)) {
        const batch = rows.map((i) => encodings[i]!);
        const { hidden, seqLen } = await this.forwardBatch(batch);
        const size = hidden.length / (rows.length * seqLen);
        rows.forEach((i, r) => {
          if (pooling === 'none') out[i] = tokenStates(hidden, r, seqLen, size, batch[r]!.inputIds.length);
        });
        if (pooling !== 'none') {
          const masks = batch.map((e) =>
            Array.from({ length: seqLen }, (_, t) => (t < e.attentionMask.length ? e.attentionMask[t]! : 0)),
          );
          poolEmbeddings(hidden, masks, { pooling, normalize }).forEach((v, r) => (out[rows[r]!] = v));
        }
      }
    } finally {
      if (wasTraining) this.model.train?.(true);
    }
    return out;
  }

  /** B encodings → their padded last hidden states [B, T, hidden] on the host. */
  private async forwardBatch(encodings: TextEncoding[]): Promise<{ hidden: Float32Array; seqLen: number }> {
    const inputs = this.batching.inputs(encodings);
    const states = tidy(() => noGrad(() => this.model.forward(inputs).lastHiddenState));
    try {
      return { hidden: (await states.data()) as Float32Array, seqLen: inputs.inputIds.shape[1]! };
    } finally {
      states.dispose();
    }
  }

  /** Frees the model's GPU memory; the extractor cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}

/** Row r of [B, T, H] → its first `length` tokens as [length][H] numbers. */
function tokenStates(hidden: Float32Array, r: number, seqLen: number, size: number, length: number): number[][] {
  return Array.from({ length }, (_, t) =>
    Array.from(hidden.subarray((r * seqLen + t) * size, (r * seqLen + t + 1) * size)),
  );
}

function checkFeatureOptions(o: FeatureOptions): Required<FeatureOptions> {
  const pooling = o.pooling ?? 'none';
  if (pooling !== 'none' && pooling !== 'mean' && pooling !== 'cls') {
    throw new RangeError(
      `feature-extraction: pooling must be 'none', 'mean' or 'cls', got ${JSON.stringify(o.pooling)}`,
    );
  }
  if (typeof o.normalize !== 'boolean')
    throw new TypeError(`feature-extraction: normalize must be true or false, got ${JSON.stringify(o.normalize)}`);
  if (o.normalize && pooling === 'none') {
    throw new RangeError(
      "feature-extraction: normalize needs pooling 'mean' or 'cls' (it normalises one embedding per text)",
    );
  }
  return { pooling, normalize: o.normalize };
}
