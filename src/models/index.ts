// Models and the nn building blocks they are made of (shared by the Node and browser entries).
export * from '../nn/index.js';
export * from './common/index.js';
export * from './distilbert/index.js';
export * from './bert/index.js';
export * from './roberta/index.js';
export { AutoConfig, AutoModel, AutoModelForSequenceClassification } from './auto.js';
export { knownModelTypes, registeredModel, type RegisteredModel } from './registry.js';
