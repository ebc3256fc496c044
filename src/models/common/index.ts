// The pieces every family is built from (public for extending webtune with another encoder family).
export { PretrainedConfig, type CommonConfigInit, type ConfigOverrides, type ProblemType } from './config_base.js';
export {
  PreTrainedModel,
  NonFiniteWeightsError,
  type FromPretrainedOptions,
  type SaveOptions,
  type ModelClassStatics,
} from './pretrained_model.js';
export { EncoderModel, Pooler, type BaseModelOutput } from './encoder_model.js';
export { SequenceClassificationModel, type ClassifierOutput, type ForwardOptions } from './sequence_classification.js';
export { SelfAttention } from './attention.js';
export { FeedForward } from './feed_forward.js';
export { EncoderLayer } from './encoder_layer.js';
export { Embeddings } from './embeddings.js';
export {
  encoderParameterShapes,
  type EncoderSpec,
  type EncoderDims,
  type EncoderNames,
  type ParameterShape,
} from './encoder_spec.js';
export type { ModelFamily } from './family.js';
export type { ClassifierInputs, ModelInputs, ForwardFlags } from './forward_args.js';
export type { IntMatrixInput, LabelsInput } from './inputs.js';
export { planPacking, type PackPlan } from './packing.js';
export type { LoadingInfo } from './pretrained_files.js';
export { ACTIVATIONS, type Activation } from './activations.js';
