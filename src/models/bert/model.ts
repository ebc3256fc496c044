// BertModel and BertForSequenceClassification with Hugging Face semantics (modeling_bert.py): word + token type +
// position embeddings, post-LN layers with eps from layer_norm_eps, the pooler tanh(dense(h[:, 0])); the classifier
// reads the pooled state through dropout (classifier_dropout ?? hidden_dropout_prob). Everything else is shared
// with DistilBERT and RoBERTa (models/common).
import { Dropout, Linear } from '../../nn/layers.js';
import type { DropoutRng } from '../../ops/dropout.js';
import type { Tensor } from '../../tensor/tensor.js';
import { EncoderModel } from '../common/encoder_model.js';
import type { ParameterShape } from '../common/encoder_spec.js';
import { SequenceClassificationModel } from '../common/sequence_classification.js';
import type { BertConfig } from './config.js';
import { BERT_FAMILY, bertParameterShapes } from './family.js';

/**
 * HF's BertModel: embeddings, encoder layers, pooler. forward({ inputIds, attentionMask, tokenTypeIds }) →
 * { lastHiddenState [B, T, hidden], poolerOutput [B, hidden], hiddenStates? }.
 */
export class BertModel extends EncoderModel<BertConfig> {
  static readonly className: string = 'BertModel';
  static readonly family = BERT_FAMILY;
  static readonly isBaseModel: boolean = true;

  /** Use BertModel.fromConfig / fromPretrained (or a head model builds it as its body, sharing its `rng`). */
  constructor(config: BertConfig, seed: number, rng?: DropoutRng, options: { addPoolingLayer?: boolean } = {}) {
    super(config, seed, rng, { pooler: options.addPoolingLayer ?? true });
    this.nameParameters();
  }

  static parameterShapes(config: BertConfig): ParameterShape[] {
    return bertParameterShapes(config, { withHead: false });
  }
}

/** HF's BertForSequenceClassification: pooled [CLS] → dropout → classifier; mean cross-entropy with labels. */
export class BertForSequenceClassification extends SequenceClassificationModel<BertConfig> {
  static readonly className: string = 'BertForSequenceClassification';
  static readonly family = BERT_FAMILY;
  static readonly isBaseModel: boolean = false;
  readonly bert: BertModel;
  readonly dropout: Dropout;
  readonly classifier: Linear;

  /** Builds the modules with uninitialised parameters: use fromConfig or fromPretrained. */
  protected constructor(config: BertConfig, seed: number, rng?: DropoutRng) {
    super(config, seed, rng);
    this.bert = this.addModule('bert', new BertModel(config, seed, this.dropoutRng));
    const p = config.classifier_dropout ?? config.hidden_dropout_prob;
    this.dropout = this.addModule('dropout', new Dropout(p, this.dropoutRng));
    this.classifier = this.addModule(
      'classifier',
      new Linear(config.hidden_size, config.num_labels, config.initializer_range),
    );
    this.nameParameters();
  }

  static parameterShapes(config: BertConfig): ParameterShape[] {
    return bertParameterShapes(config, { withHead: true });
  }

  get body(): BertModel {
    return this.bert;
  }

  protected head(cls: Tensor): Tensor {
    return this.classifier.forward(this.dropout.forward(this.bert.pooler!.forward(cls)));
  }
}
