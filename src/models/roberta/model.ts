// RobertaModel and RobertaForSequenceClassification with Hugging Face semantics (modeling_roberta.py): BERT's body
// with positions counted from padding_idx + 1, no pooler under the classifier, and the head dropout → dense → tanh →
// dropout → out_proj on <s>. Everything else is shared with DistilBERT and BERT (models/common).
import { Dropout, Linear } from '../../nn/layers.js';
import { Module } from '../../nn/module.js';
import type { DropoutRng } from '../../ops/dropout.js';
import { tanh } from '../../ops/elementwise.js';
import type { Tensor } from '../../tensor/tensor.js';
import { EncoderModel } from '../common/encoder_model.js';
import type { ParameterShape } from '../common/encoder_spec.js';
import { SequenceClassificationModel } from '../common/sequence_classification.js';
import type { RobertaConfig } from './config.js';
import { ROBERTA_FAMILY, robertaParameterShapes } from './family.js';

/**
 * HF's RobertaModel: embeddings, encoder layers, pooler (the classifier's body has none).
 * forward({ inputIds, attentionMask }) → { lastHiddenState [B, T, hidden], poolerOutput?, hiddenStates? }.
 */
export class RobertaModel extends EncoderModel<RobertaConfig> {
  static readonly className: string = 'RobertaModel';
  static readonly family = ROBERTA_FAMILY;
  static readonly isBaseModel: boolean = true;

  /** Use RobertaModel.fromConfig / fromPretrained (or a head model builds it as its body, sharing its `rng`). */
  constructor(config: RobertaConfig, seed: number, rng?: DropoutRng, options: { addPoolingLayer?: boolean } = {}) {
    super(config, seed, rng, { pooler: options.addPoolingLayer ?? true });
    this.nameParameters();
  }

  static parameterShapes(config: RobertaConfig): ParameterShape[] {
    return robertaParameterShapes(config, { withHead: false });
  }
}

/** HF's RobertaClassificationHead. x: [B, hidden] (the <s> rows) → [B, num_labels]. */
export class RobertaClassificationHead extends Module {
  readonly dense: Linear;
  readonly dropout: Dropout;
  readonly outProj: Linear;
  constructor(config: RobertaConfig, rng: DropoutRng) {
    super();
    const ir = config.initializer_range;
    this.dense = this.addModule('dense', new Linear(config.hidden_size, config.hidden_size, ir));
    this.dropout = this.addModule('dropout', new Dropout(config.classifier_dropout ?? config.hidden_dropout_prob, rng));
    this.outProj = this.addModule('out_proj', new Linear(config.hidden_size, config.num_labels, ir));
  }
  forward(x: Tensor): Tensor {
    const h = tanh(this.dense.forward(this.dropout.forward(x)));
    return this.outProj.forward(this.dropout.forward(h));
  }
}

/** HF's RobertaForSequenceClassification: roberta (no pooler) → classifier head on <s>; cross-entropy with labels. */
export class RobertaForSequenceClassification extends SequenceClassificationModel<RobertaConfig> {
  static readonly className: string = 'RobertaForSequenceClassification';
  static readonly family = ROBERTA_FAMILY;
  static readonly isBaseModel: boolean = false;
  readonly roberta: RobertaModel;
  readonly classifier: RobertaClassificationHead;

  /** Builds the modules with uninitialised parameters: use fromConfig or fromPretrained. */
  protected constructor(config: RobertaConfig, seed: number, rng?: DropoutRng) {
    super(config, seed, rng);
    this.roberta = this.addModule(
      'roberta',
      new RobertaModel(config, seed, this.dropoutRng, { addPoolingLayer: false }),
    );
    this.classifier = this.addModule('classifier', new RobertaClassificationHead(config, this.dropoutRng));
    this.nameParameters();
  }

  static parameterShapes(config: RobertaConfig): ParameterShape[] {
    return robertaParameterShapes(config, { withHead: true });
  }

  get body(): RobertaModel {
    return this.roberta;
  }

  protected head(cls: Tensor): Tensor {
    return this.classifier.forward(cls);
  }
}
