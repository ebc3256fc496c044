// ONNX export (shared by the Node and browser entries; the Node-only directory writer is export_node.ts).
export { classifierToOnnx, modelToOnnx, onnxExportFiles, ONNX_MODEL_PATH } from './export_onnx.js';
export {
  buildEncoderGraph,
  ENCODER_ONNX_OPSET,
  ONNX_FAMILIES,
  type EncoderGraphSpec,
  type OnnxHead,
} from './encoder_onnx.js';
export {
  encodeModel,
  DataType,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
  type ModelInfo,
} from './onnx_proto.js';
