export {
  DistilBertForSequenceClassification,
  type ClassifierInputs,
  type ClassifierOutput,
  type FromPretrainedOptions,
  type ForwardOptions,
} from './model.js';
export { planPacking, type PackPlan } from './packing.js';
export { DistilBertModel, Embeddings, MultiHeadSelfAttention, FFN, TransformerBlock } from './modules.js';
export type { LoadingInfo } from './pretrained.js';
export type { IntMatrixInput, LabelsInput } from './inputs.js';
export { DistilBertConfig, type DistilBertConfigInit, type DistilBertConfigOverrides } from './config.js';
export { distilBertParameterShapes, matchCheckpointNames, decayParameterNames } from './weights_spec.js';
