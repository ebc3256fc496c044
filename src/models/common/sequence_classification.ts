// The sequence classifiers' shared forward (HF's …ForSequenceClassification.forward): inputs checked on the host, the
// body run on the real tokens only when it can be (packing.ts) or padded, the family's head on the first token's
// hidden state, and the loss HF picks from problem_type. A family brings its body and its head.
import { mean } from '../../ops/reductions.js';
import { square, sub } from '../../ops/elementwise.js';
import { crossEntropy } from '../../ops/loss.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { PretrainedConfig } from './config_base.js';
import { firstToken, type EncoderModel } from './encoder_model.js';
import { parseForwardArgs, type ClassifierInputs, type ForwardFlags } from './forward_args.js';
import { prepareEncoderInputs, toLabels, type LabelsInput } from './inputs.js';
import { planPacking } from './packing.js';
import { PreTrainedModel } from './pretrained_model.js';

export interface ClassifierOutput {
  /** [B, num_labels] */
  logits: Tensor;
  /** [] mean loss, when labels were given. */
  loss?: Tensor;
  /** layers + 1 tensors [B, T, hidden]: embeddings output, then each layer's output (outputHiddenStates). */
  hiddenStates?: Tensor[];
}

/** The older form of forward()'s flags, as a second argument; they may now be given in the inputs object. */
export type ForwardOptions = ForwardFlags;

export abstract class SequenceClassificationModel<
  C extends PretrainedConfig = PretrainedConfig,
> extends PreTrainedModel<C> {
  /** The family's base model inside (model.distilbert, model.bert, model.roberta). */
  abstract get body(): EncoderModel<C>;

  /** The first token's hidden state [B, hidden] → logits [B, num_labels]: the family's head, dropout included. */
  protected abstract head(cls: Tensor): Tensor;

  /** The longest input in tokens, special tokens included. */
  get maxSequenceLength(): number {
    return this.body.maxSequenceLength;
  }

  /**
   * inputIds, attentionMask (, tokenTypeIds): [B, T] → logits [B, num_labels] (+ loss [] with labels, + hidden
   * states with outputHiddenStates). HF's keyword arguments in one object, camelCase; an unknown key is an error.
   * Host inputs are range-checked; GPU tensors are trusted (the kernels clamp ids). Call inside tidy().
   */
  forward(inputs: ClassifierInputs, options?: ForwardOptions): ClassifierOutput {
    const { body } = this;
    const { flags } = parseForwardArgs(inputs, options, body.forwardArgs(true));
    const x = prepareEncoderInputs(inputs, body.inputLimits());
    // The padding is skipped (packing.ts) when it can be: no hidden states asked for, every input known on the host
    // (a GPU mask would need a readback to plan).
    const h = x.host;
    const plan =
      flags.skipPadding !== false && !flags.outputHiddenStates && h
        ? planPacking(h.ids, h.mask, x.batch, x.seqLen, { positions: h.positions, tokenTypes: h.tokenTypes })
        : undefined;
    let hidden: Tensor[] | undefined;
    let cls: Tensor;
    if (plan) {
      cls = body.forwardCls(plan);
    } else {
      hidden = body.encode(x);
      cls = firstToken(hidden[hidden.length - 1]!);
    }
    const logits = this.head(cls);
    const out: ClassifierOutput = { logits };
    if (inputs.labels !== undefined) out.loss = this.loss(logits, inputs.labels, x.batch);
    if (flags.outputHiddenStates) out.hiddenStates = hidden!;
    return out;
  }

  /** HF's problem_type logic: set on the first labelled forward (so a config saved after training records it). */
  private loss(logits: Tensor, labels: LabelsInput, batch: number): Tensor {
    const { config } = this;
    config.problem_type ??= config.num_labels === 1 ? 'regression' : 'single_label_classification';
    if (config.problem_type === 'regression') {
      if (config.num_labels !== 1)
        throw new Error(`problem_type "regression" needs num_labels = 1, got ${config.num_labels}`);
      return mean(square(sub(logits.reshape([batch]), toLabels(labels, batch, 1, true))));
    }
    if (config.problem_type === 'multi_label_classification') {
      throw new Error(
        'problem_type "multi_label_classification" (BCEWithLogitsLoss) is not supported; use single_label_classification',
      );
    }
    return crossEntropy(logits, toLabels(labels, batch, config.num_labels, false));
  }
}
