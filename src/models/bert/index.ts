export { BertModel, BertForSequenceClassification } from './model.js';
export { BertConfig, type BertConfigInit } from './config.js';
export { BERT_FAMILY, bertParameterShapes } from './family.js';
