// Public face of safetensors support: read (pure on bytes), write (byte-identical to the Rust crate),
// and load a model directory's weights (single file or sharded) from any FileSource.
// The pieces live in safetensors_*.ts, one job each; import from here.

export {
  SAFETENSORS_DTYPE_BITS,
  compareCodePoints,
  isSafetensorsDtype,
  type SafetensorsDtype,
  type SafetensorsFile,
  type SafetensorsTensor,
  type SafetensorsWritableDtype,
} from './safetensors_format.js';
export { parseSafetensors } from './safetensors_read.js';
export { serializeSafetensors, type SafetensorsWriteTensor } from './safetensors_write.js';
export { decodeTensorBytes, f16BitsToFloat } from './safetensors_decode.js';
export { loadSafetensorsFromSource, SAFE_WEIGHTS_INDEX_NAME, SAFE_WEIGHTS_NAME } from './safetensors_sharded.js';
