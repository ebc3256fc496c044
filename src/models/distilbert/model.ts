// DistilBertForSequenceClassification with Hugging Face semantics (transformers 4.57.6): [CLS] hidden state →
// pre_classifier → ReLU → dropout → classifier, mean cross-entropy when labels are given; HF tensor names. Loading,
// saving, the forward and the loss are the shared ones (models/common); this file is DistilBERT's head.
import { Dropout, Linear } from '../../nn/layers.js';
import type { DropoutRng } from '../../ops/dropout.js';
import { relu } from '../../ops/elementwise.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { ParameterShape } from '../common/encoder_spec.js';
import { SequenceClassificationModel } from '../common/sequence_classification.js';
import type { DistilBertConfig } from './config.js';
import { DISTILBERT_FAMILY } from './family.js';
import { DistilBertModel } from './modules.js';
import { distilBertParameterShapes } from './weights_spec.js';

export type { ClassifierInputs } from '../common/forward_args.js';
export type { ClassifierOutput, ForwardOptions } from '../common/sequence_classification.js';
export type { FromPretrainedOptions, SaveOptions } from '../common/pretrained_model.js';
export { NonFiniteWeightsError } from '../common/pretrained_model.js';

export class DistilBertForSequenceClassification extends SequenceClassificationModel<DistilBertConfig> {
  static readonly className: string = 'DistilBertForSequenceClassification';
  static readonly family = DISTILBERT_FAMILY;
  static readonly isBaseModel: boolean = false;
  readonly distilbert: DistilBertModel;
  readonly preClassifier: Linear;
  readonly classifier: Linear;
  readonly dropout: Dropout;

  /** Builds the modules with uninitialised parameters: use fromConfig or fromPretrained. */
  protected constructor(config: DistilBertConfig, seed: number, rng?: DropoutRng) {
    super(config, seed, rng);
    const ir = config.initializer_range;
    this.distilbert = this.addModule('distilbert', new DistilBertModel(config, seed, this.dropoutRng));
    this.preClassifier = this.addModule('pre_classifier', new Linear(config.dim, config.dim, ir));
    this.classifier = this.addModule('classifier', new Linear(config.dim, config.num_labels, ir));
    this.dropout = this.addModule('dropout', new Dropout(config.seq_classif_dropout, this.dropoutRng));
    this.nameParameters();
  }

  static parameterShapes(config: DistilBertConfig): ParameterShape[] {
    return distilBertParameterShapes(config, { withHead: true });
  }

  get body(): DistilBertModel {
    return this.distilbert;
  }

  protected head(cls: Tensor): Tensor {
    return this.classifier.forward(this.dropout.forward(relu(this.preClassifier.forward(cls))));
  }
}
