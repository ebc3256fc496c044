// The base model of an encoder family (HF's DistilBertModel, BertModel, RobertaModel): embeddings, then the layers,
// then (BERT, RoBERTa) the pooler tanh(dense(h[:, 0])). Built from the family's EncoderSpec, so the three families
// share every module; a head model holds one as its body (model.bert) and runs it padded or on the real tokens only.
import type { DropoutRng } from '../../ops/dropout.js';
import { tanh } from '../../ops/elementwise.js';
import { narrow } from '../../ops/shape.js';
import { Linear } from '../../nn/layers.js';
import { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { PretrainedConfig } from './config_base.js';
import { Embeddings } from './embeddings.js';
import { EncoderLayer } from './encoder_layer.js';
import type { EncoderSpec } from './encoder_spec.js';
import { parseForwardArgs, type ForwardArgsSpec, type ForwardFlags, type ModelInputs } from './forward_args.js';
import { prepareEncoderInputs, type EncoderInputs, type InputLimits } from './inputs.js';
import { gatherRows, type PackPlan } from './packing.js';
import { PreTrainedModel } from './pretrained_model.js';

/** HF's BaseModelOutputWithPooling, camelCase. */
export interface BaseModelOutput {
  /** [B, T, hidden]: the last layer's output. */
  lastHiddenState: Tensor;
  /** [B, hidden]: tanh(dense(h[:, 0])), when the model has a pooler. */
  poolerOutput?: Tensor;
  /** layers + 1 tensors [B, T, hidden]: the embeddings' output, then each layer's (outputHiddenStates). */
  hiddenStates?: Tensor[];
}

/** BERT's pooler: the first token's hidden state → dense → tanh. x: [B, hidden] → [B, hidden]. */
export class Pooler extends Module {
  readonly dense: Linear;
  constructor(hidden: number, initializerRange: number) {
    super();
    this.dense = this.addModule('dense', new Linear(hidden, hidden, initializerRange));
  }
  forward(cls: Tensor): Tensor {
    return tanh(this.dense.forward(cls));
  }
}

/** hidden: [B, T, C] → [B, C], the first token's row (hidden[:, 0]). */
export function firstToken(hidden: Tensor): Tensor {
  const [batch, , c] = hidden.shape;
  return narrow(hidden, 1, 0, 1).reshape([batch!, c!]);
}

export abstract class EncoderModel<C extends PretrainedConfig = PretrainedConfig> extends PreTrainedModel<C> {
  readonly spec: EncoderSpec;
  readonly embeddings: Embeddings;
  readonly layers: EncoderLayer[] = [];
  readonly pooler?: Pooler;

  protected constructor(config: C, seed: number, rng: DropoutRng | undefined, options: { pooler: boolean }) {
    super(config, seed, rng);
    const spec = (this.spec = this.statics.family.encoderSpec(config));
    this.embeddings = this.addModule('embeddings', new Embeddings(spec, this.dropoutRng));
    for (let i = 0; i < spec.dims.layers; i++) {
      this.layers.push(this.addModule(`${spec.names.layers}.${i}`, this.makeLayer(spec, this.dropoutRng)));
    }
    if (options.pooler) this.pooler = this.addModule('pooler', new Pooler(spec.dims.hidden, spec.initializerRange));
  }

  /** One layer (a family may return a subclass with its own property names). */
  protected makeLayer(spec: EncoderSpec, rng: DropoutRng): EncoderLayer {
    return new EncoderLayer(spec, rng);
  }

  /** What forward() checks its inputs against. */
  inputLimits(): InputLimits {
    const { dims, padTokenId, positions } = this.spec;
    const max = this.statics.family.maxTokens(this.config);
    return {
      vocab: dims.vocab,
      typeVocab: dims.typeVocab,
      maxTokens: max.tokens,
      maxTokensWhy: max.why,
      positions,
      padTokenId,
    };
  }

  /** The longest input in tokens, special tokens included (RoBERTa: max_position_embeddings − padding_idx − 1). */
  get maxSequenceLength(): number {
    return this.statics.family.maxTokens(this.config).tokens;
  }

  /** forward()'s accepted inputs (token types where the family has them; no labels: a base model has no head). */
  forwardArgs(
    labels: ForwardArgsSpec['labels'] = {
      classifier: `${this.statics.className.replace(/Model$/, '')}ForSequenceClassification`,
    },
  ): ForwardArgsSpec {
    const { className, family } = this.statics;
    return { className, family: family.name, tokenTypes: this.spec.dims.typeVocab > 0, labels };
  }

  /**
   * inputIds, attentionMask, tokenTypeIds: [B, T] → { lastHiddenState [B, T, hidden], poolerOutput?, hiddenStates? }
   * (HF's keyword arguments in one object, camelCase; an unknown key is an error). Always the padded forward: every
   * token's state is returned. Call inside tidy().
   */
  forward(inputs: ModelInputs, options?: ForwardFlags): BaseModelOutput {
    const { flags } = parseForwardArgs(inputs, options, this.forwardArgs());
    const hidden = this.encode(prepareEncoderInputs(inputs, this.inputLimits()));
    const last = hidden[hidden.length - 1]!;
    const out: BaseModelOutput = { lastHiddenState: last };
    if (this.pooler) out.poolerOutput = this.pooler.forward(firstToken(last));
    if (flags.outputHiddenStates) out.hiddenStates = hidden;
    return out;
  }

  /** Checked inputs → every hidden state [B, T, hidden] (index 0 = the embeddings' output). */
  encode(x: EncoderInputs): Tensor[] {
    const hidden = [this.embeddings.forwardTokens(x.ids, x.positions, x.tokenTypes)];
    for (const layer of this.layers) hidden.push(layer.forward(hidden[hidden.length - 1]!, x.mask));
    return hidden;
  }

  /** Packed tokens (packing.ts) → the last layer's first-token rows [B, hidden], i.e. encode(…)[-1][:, 0]. */
  forwardCls(plan: PackPlan): Tensor {
    let x = this.embeddings.forwardTokens(plan.ids, plan.positions, plan.tokenTypes);
    this.layers.forEach((layer, i) => (x = layer.forwardPacked(x, plan, i === this.layers.length - 1)));
    return this.layers.length ? x : gatherRows(x, plan.cls);
  }
}
