// Turning forward() inputs (GPU tensors, nested arrays, or {data, shape}) into int32 GPU tensors, with the
// host-side checks HF would fail on later and less clearly: id range, sequence length, mask shape, labels.
import { checkLabels } from '../../ops/loss.js';
import { tensor, type NestedArray } from '../../ops/basic.js';
import { Tensor } from '../../tensor/tensor.js';

/** An int32 [B, T] batch: a GPU tensor, nested number arrays, or a flat array with its shape. */
export type IntMatrixInput =
  Tensor | NestedArray[] | { data: Int32Array | ArrayLike<number>; shape: readonly number[] };
/** Labels: int32 [B] tensor or host numbers (floats for regression, num_labels = 1). */
export type LabelsInput = Tensor | ArrayLike<number>;

interface Converted {
  tensor: Tensor;
  /** Host values when the input came from the host (checked there). */
  host?: ArrayLike<number>;
  /** The argument's HF name, for errors. */
  what: string;
}

/** x → int32 tensor of rank 2; `what` names the argument in errors. */
export function toIntMatrix(x: IntMatrixInput, what: string): Converted {
  if (x instanceof Tensor) {
    if (x.dtype !== 'i32' || x.rank !== 2)
      throw new Error(`${what} must be an int32 [batch, seq_len] tensor, got ${x.dtype} [${x.shape}]`);
    return { tensor: x, what };
  }
  let data: ArrayLike<number>;
  let shape: number[];
  if (Array.isArray(x)) {
    shape = [x.length, Array.isArray(x[0]) ? x[0].length : -1];
    if (shape[1] < 0) throw new Error(`${what} must be a [batch, seq_len] nested array (rows of ids)`);
    const flat: number[] = [];
    x.forEach((row, b) => {
      if (!Array.isArray(row) || row.length !== shape[1]) {
        throw new Error(
          `${what}: row ${b} has ${Array.isArray(row) ? row.length : 'no'} entries, expected ${shape[1]} (pad the batch)`,
        );
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
    if (!Number.isInteger(data[i]))
      throw new Error(`${what}[${Math.floor(i / shape[1])}][${i % shape[1]}] = ${data[i]} is not an integer`);
  }
  return { tensor: tensor(Int32Array.from(data), shape, 'i32'), host: data, what };
}

/** Host ids must lie in [0, vocab): a clear error naming the position instead of a clamped GPU read. */
export function checkIds(ids: ArrayLike<number>, shape: readonly number[], vocab: number): void {
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (!(v >= 0 && v < vocab)) {
      throw new Error(
        `input_ids[${Math.floor(i / shape[1])}][${i % shape[1]}] = ${v} is out of range: expected an id in [0, ${vocab}) (vocab_size)`,
      );
    }
  }
}

/** maxTokens: the longest sequence the position table holds; `why` says where that number comes from. */
export function checkSequenceLength(
  seqLen: number,
  maxTokens: number,
  why = `max_position_embeddings = ${maxTokens}`,
): void {
  if (!(seqLen >= 1))
    throw new Error(
      `input_ids has sequence length ${seqLen}: a sequence needs at least one token (the tokenizer adds [CLS] and [SEP])`,
    );
  if (seqLen > maxTokens) {
    throw new Error(
      `sequence length ${seqLen} exceeds ${why}: truncate the input (tokenizer truncation=True, max_length ${maxTokens})`,
    );
  }
}

/** Host token type ids must lie in [0, typeVocab): a clear error naming the position. */
export function checkTokenTypes(types: ArrayLike<number>, shape: readonly number[], typeVocab: number): void {
  for (let i = 0; i < types.length; i++) {
    const v = types[i];
    if (!(v >= 0 && v < typeVocab)) {
      throw new Error(
        `token_type_ids[${Math.floor(i / shape[1])}][${i % shape[1]}] = ${v} is out of range: expected a type id in ` +
          `[0, ${typeVocab}) (type_vocab_size)`,
      );
    }
  }
}

/**
 * RoBERTa's position ids (HF create_position_ids_from_input_ids): ids host [B, T], padding_idx → [B, T] where a
 * token other than padding_idx gets padding_idx + its 1-based rank among its row's non-padding tokens, and padding
 * gets padding_idx. (From input_ids, not the attention mask, as HF.)
 */
export function paddingOffsetPositions(
  ids: ArrayLike<number>,
  batch: number,
  seqLen: number,
  paddingIdx: number,
): Int32Array {
  const out = new Int32Array(batch * seqLen);
  for (let b = 0; b < batch; b++) {
    let count = 0;
    for (let t = 0; t < seqLen; t++) {
      const i = b * seqLen + t;
      out[i] = ids[i] === paddingIdx ? paddingIdx : paddingIdx + ++count;
    }
  }
  return out;
}

/** labels → a [B] tensor: int32 for classification (range-checked), f32 for regression. */
export function toLabels(labels: LabelsInput, batch: number, numLabels: number, regression: boolean): Tensor {
  if (labels instanceof Tensor) {
    if (labels.size !== batch)
      throw new Error(`labels must have ${batch} entries (one per example), got [${labels.shape}]`);
    const want = regression ? 'f32' : 'i32';
    if (labels.dtype !== want)
      throw new Error(`labels must be ${want === 'i32' ? 'int32 class ids' : 'float32 targets'}, got ${labels.dtype}`);
    return labels;
  }
  if (labels.length !== batch)
    throw new Error(`labels has ${labels.length} entries, expected ${batch} (one per example)`);
  if (regression) return tensor(Float32Array.from(labels), [batch], 'f32');
  checkLabels(labels, numLabels);
  return tensor(Int32Array.from(labels), [batch], 'i32');
}

/** A forward's inputs checked and on the GPU, with their host copies when every one came from the host. */
export interface EncoderInputs {
  batch: number;
  seqLen: number;
  /** int32 [B, T] */
  ids: Tensor;
  /** int32 [B, T]; undefined: every token is real. */
  mask?: Tensor;
  /** int32 [B, T]; undefined: type 0 everywhere (or the family has no token types). */
  tokenTypes?: Tensor;
  /** int32 [T] (arange, shared by every row) or [B, T] (RoBERTa's numbering). */
  positions: Tensor;
  /** Host values (row-major [B, T]) for planning the padding-free forward; the mask all ones when none was given. */
  host?: { ids: ArrayLike<number>; mask: ArrayLike<number>; tokenTypes?: ArrayLike<number>; positions?: Int32Array };
}

/** What checking the inputs needs from the model. */
export interface InputLimits {
  vocab: number;
  /** Rows of the token type table; 0: the family has none (its forward refuses tokenTypeIds before this). */
  typeVocab: number;
  /** The longest sequence, and where that number comes from (for the error). */
  maxTokens: number;
  maxTokensWhy: string;
  positions: 'arange' | 'padding-offset';
  padTokenId: number | null;
}

/** data: forward()'s ids, mask and token types (host or GPU) → checked GPU tensors and position ids. */
export function prepareEncoderInputs(
  data: { inputIds: IntMatrixInput; attentionMask?: IntMatrixInput; tokenTypeIds?: IntMatrixInput },
  limits: InputLimits,
): EncoderInputs {
  const ids = toIntMatrix(data.inputIds, 'input_ids');
  const [batch, seqLen] = ids.tensor.shape as [number, number];
  checkSequenceLength(seqLen, limits.maxTokens, limits.maxTokensWhy);
  if (ids.host) checkIds(ids.host, ids.tensor.shape, limits.vocab);
  const mask =
    data.attentionMask === undefined
      ? undefined
      : sameShape(toIntMatrix(data.attentionMask, 'attention_mask'), ids.tensor);
  const types =
    data.tokenTypeIds === undefined
      ? undefined
      : sameShape(toIntMatrix(data.tokenTypeIds, 'token_type_ids'), ids.tensor);
  if (types?.host) checkTokenTypes(types.host, ids.tensor.shape, limits.typeVocab);
  let positions: Tensor;
  let hostPositions: Int32Array | undefined;
  if (limits.positions === 'arange') {
    positions = tensor(
      Int32Array.from({ length: seqLen }, (_, i) => i),
      [seqLen],
      'i32',
    ); // position_ids = arange(T)
  } else {
    if (!ids.host) {
      throw new Error(
        'input_ids: this model numbers positions from the ids on the host (RoBERTa skips padding_idx): give inputIds ' +
          'as arrays or { data, shape }, not a GPU tensor',
      );
    }
    hostPositions = paddingOffsetPositions(ids.host, batch, seqLen, limits.padTokenId!);
    positions = tensor(hostPositions, [batch, seqLen], 'i32');
  }
  const allHost = ids.host !== undefined && (mask === undefined || mask.host) && (types === undefined || types.host);
  return {
    batch,
    seqLen,
    ids: ids.tensor,
    mask: mask?.tensor,
    tokenTypes: types?.tensor,
    positions,
    host: allHost
      ? {
          ids: ids.host!,
          mask: mask?.host ?? new Int32Array(batch * seqLen).fill(1),
          tokenTypes: types?.host,
          positions: hostPositions,
        }
      : undefined,
  };
}

function sameShape(m: Converted, ids: Tensor): Converted {
  if (m.tensor.shape.join() !== ids.shape.join()) {
    const name = m.what;
    throw new Error(`${name} [${m.tensor.shape}] must have the shape of input_ids [${ids.shape}]`);
  }
  return m;
}
