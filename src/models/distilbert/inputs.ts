// Turning forward() inputs (GPU tensors, nested arrays, or {data, shape}) into int32 GPU tensors, with the
// host-side checks HF would fail on later and less clearly: id range, sequence length, mask shape, labels.
import { checkLabels } from '../../ops/loss.js';
import { tensor, type NestedArray } from '../../ops/basic.js';
import { Tensor } from '../../tensor/tensor.js';

/** An int32 [B, T] batch: a GPU tensor, nested number arrays, or a flat array with its shape. */
export type IntMatrixInput = Tensor | NestedArray[] | { data: Int32Array | ArrayLike<number>; shape: readonly number[] };
/** Labels: int32 [B] tensor or host numbers (floats for regression, num_labels = 1). */
export type LabelsInput = Tensor | ArrayLike<number>;

interface Converted {
  tensor: Tensor;
  /** Host values when the input came from the host (checked there). */
  host?: ArrayLike<number>;
}

/** x → int32 tensor of rank 2; `what` names the argument in errors. */
export function toIntMatrix(x: IntMatrixInput, what: string): Converted {
  if (x instanceof Tensor) {
    if (x.dtype !== 'i32' || x.rank !== 2) throw new Error(`${what} must be an int32 [batch, seq_len] tensor, got ${x.dtype} [${x.shape}]`);
    return { tensor: x };
  }
  let data: ArrayLike<number>;
  let shape: number[];
  if (Array.isArray(x)) {
    shape = [x.length, Array.isArray(x[0]) ? x[0].length : -1];
    if (shape[1] < 0) throw new Error(`${what} must be a [batch, seq_len] nested array (rows of ids)`);
    const flat: number[] = [];
    x.forEach((row, b) => {
      if (!Array.isArray(row) || row.length !== shape[1]) {
        throw new Error(`${what}: row ${b} has ${Array.isArray(row) ? row.length : 'no'} entries, expected ${shape[1]} (pad the batch)`);
      }
      for (const v of row) flat.push(v as number);
    });
    data = flat;
  } else {
    data = x.data;
    shape = [...x.shape];
    if (shape.length !== 2 || shape[0] * shape[1] !== data.length) {
      throw new Error(`${what}: shape [${shape}] must be [batch, seq_len] and hold its ${data.length} values`);
    }
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isInteger(data[i])) throw new Error(`${what}[${Math.floor(i / shape[1])}][${i % shape[1]}] = ${data[i]} is not an integer`);
  }
  return { tensor: tensor(Int32Array.from(data), shape, 'i32'), host: data };
}

/** Host ids must lie in [0, vocab): a clear error naming the position instead of a clamped GPU read. */
export function checkIds(ids: ArrayLike<number>, shape: readonly number[], vocab: number): void {
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (!(v >= 0 && v < vocab)) {
      throw new Error(`input_ids[${Math.floor(i / shape[1])}][${i % shape[1]}] = ${v} is out of range: expected an id in [0, ${vocab}) (vocab_size)`);
    }
  }
}

export function checkSequenceLength(seqLen: number, maxPositions: number): void {
  if (!(seqLen >= 1)) throw new Error(`input_ids has sequence length ${seqLen}: a sequence needs at least one token (the tokenizer adds [CLS] and [SEP])`);
  if (seqLen > maxPositions) {
    throw new Error(
      `sequence length ${seqLen} exceeds max_position_embeddings = ${maxPositions}: truncate the input (tokenizer truncation=True, max_length ${maxPositions})`,
    );
  }
}

/** labels → a [B] tensor: int32 for classification (range-checked), f32 for regression. */
export function toLabels(labels: LabelsInput, batch: number, numLabels: number, regression: boolean): Tensor {
  if (labels instanceof Tensor) {
    if (labels.size !== batch) throw new Error(`labels must have ${batch} entries (one per example), got [${labels.shape}]`);
    const want = regression ? 'f32' : 'i32';
    if (labels.dtype !== want) throw new Error(`labels must be ${want === 'i32' ? 'int32 class ids' : 'float32 targets'}, got ${labels.dtype}`);
    return labels;
  }
  if (labels.length !== batch) throw new Error(`labels has ${labels.length} entries, expected ${batch} (one per example)`);
  if (regression) return tensor(Float32Array.from(labels), [batch], 'f32');
  checkLabels(labels, numLabels);
  return tensor(Int32Array.from(labels), [batch], 'i32');
}
