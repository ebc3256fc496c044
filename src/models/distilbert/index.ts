export { DistilBertForSequenceClassification } from './model.js';
export { DistilBertModel, MultiHeadSelfAttention, FFN, TransformerBlock } from './modules.js';
export { DistilBertConfig, type DistilBertConfigInit, type DistilBertConfigOverrides } from './config.js';
export { distilBertParameterShapes, matchCheckpointNames, decayParameterNames } from './weights_spec.js';
export { DISTILBERT_FAMILY } from './family.js';
