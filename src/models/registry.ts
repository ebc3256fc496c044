// The model registry: model_type → the family and its classes, as transformers' CONFIG_MAPPING / MODEL_MAPPING /
// MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING. The Auto classes, the pipeline, the Trainer's CLI and the ONNX
// exporter read it instead of naming a family; adding a family is one entry here (docs/ARCHITECTURE.md).
import type { PretrainedConfig } from './common/config_base.js';
import type { EncoderModel } from './common/encoder_model.js';
import type { ModelFamily } from './common/family.js';
import type { ModelClass } from './common/pretrained_model.js';
import type { SequenceClassificationModel } from './common/sequence_classification.js';
import { BertForSequenceClassification, BertModel } from './bert/model.js';
import { DistilBertForSequenceClassification } from './distilbert/model.js';
import { DistilBertModel } from './distilbert/modules.js';
import { RobertaForSequenceClassification, RobertaModel } from './roberta/model.js';

export interface RegisteredModel {
  family: ModelFamily;
  /** AutoModel's class (the base model). */
  base: ModelClass<EncoderModel>;
  /** AutoModelForSequenceClassification's class. */
  sequenceClassification: ModelClass<SequenceClassificationModel>;
  /** The classifier's last weight, whose rows are the labels (the CLI reads its shape from the file header). */
  headWeight: string;
}

const MODELS: readonly RegisteredModel[] = [
  {
    family: DistilBertModel.family,
    base: DistilBertModel,
    sequenceClassification: DistilBertForSequenceClassification,
    headWeight: 'classifier.weight',
  },
  {
    family: BertModel.family,
    base: BertModel,
    sequenceClassification: BertForSequenceClassification,
    headWeight: 'classifier.weight',
  },
  {
    family: RobertaModel.family,
    base: RobertaModel,
    sequenceClassification: RobertaForSequenceClassification,
    headWeight: 'classifier.out_proj.weight',
  },
];

/** The registered model_types, in registration order. */
export function knownModelTypes(): string[] {
  return MODELS.map((m) => m.family.modelType);
}

/** modelType → its entry; anything else is an error naming `where` and listing the known types. */
export function registeredModel(modelType: unknown, where: string): RegisteredModel {
  const found = MODELS.find((m) => m.family.modelType === modelType);
  if (!found) {
    throw new Error(
      `${where}: model_type ${JSON.stringify(modelType)} is not supported; webtune knows ${knownModelTypes().join(', ')}`,
    );
  }
  return found;
}

/**
 * A parsed config.json → its entry, by "model_type" (or, in a config without one, by the class its
 * "architectures" names, as very old checkpoints need).
 */
export function registeredModelForJson(json: unknown, fileName: string): RegisteredModel {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new Error(`${fileName}: config must be a JSON object`);
  const { model_type: modelType, architectures } = json as { model_type?: unknown; architectures?: unknown };
  if (modelType === undefined && Array.isArray(architectures)) {
    // "BertForMaskedLM" → BERT: the class name starts with the family's (base class name without "Model").
    const byClass = MODELS.find((m) =>
      architectures.some((a) => typeof a === 'string' && a.startsWith(m.base.className.replace(/Model$/, ''))),
    );
    if (byClass) return byClass;
  }
  if (modelType === undefined) {
    throw new Error(
      `${fileName}: no "model_type" (and no known class in "architectures"); webtune knows ${knownModelTypes().join(', ')}`,
    );
  }
  return registeredModel(modelType, `${fileName}: "model_type"`);
}

/** The registered entry of a config object (its modelType). */
export function registeredModelForConfig(config: PretrainedConfig, where: string): RegisteredModel {
  return registeredModel(config.modelType, where);
}
