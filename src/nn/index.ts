export { Module, type ParameterInit } from './module.js';
export { Linear, LayerNorm, Embedding, Dropout, setLinearWeightDtype } from './layers.js';
export { normalInit, constantInit, parameterSeed } from './init.js';
