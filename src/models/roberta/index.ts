export { RobertaModel, RobertaForSequenceClassification, RobertaClassificationHead } from './model.js';
export { RobertaConfig } from './config.js';
export { ROBERTA_FAMILY, robertaParameterShapes } from './family.js';
