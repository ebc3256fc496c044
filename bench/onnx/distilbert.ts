// Builds an ONNX graph (opset 17) of DistilBertForSequenceClassification from a state dict with HF names
// (`model.stateDict()`), so onnxruntime runs exactly our weights. Plain ops only (no contrib ops): Gather
// embeddings, LayerNormalization (eps 1e-12), MatMul + Add linears (weights transposed to [in, out]),
// Reshape/Transpose heads, MatMul scores × 1/√d, additive mask from attention_mask (Cast/Sub/Mul by float32 min),
// Softmax(-1), exact GELU via Erf, and the [CLS] head (Gather 0 on axis 1 → pre_classifier → Relu → classifier).
// Inputs input_ids / attention_mask: int64 [batch, seq] (batch symbolic, seq fixed at export); output logits.
import { DataType, encodeModel, type OnnxGraph, type OnnxNode, type OnnxTensor } from './proto.js';

export interface DistilBertDims {
  dim: number;
  nLayers: number;
  nHeads: number;
  hiddenDim: number;
  vocabSize: number;
  maxPositions: number;
  numLabels: number;
  seq: number;
}

const F32_MIN = -3.4028234663852886e38;

/** [rows, cols] row-major → [cols, rows]. */
function transpose2d(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = w[base + c];
  }
  return out;
}

export function buildDistilBertGraph(state: Map<string, Float32Array>, d: DistilBertDims): OnnxGraph {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  let counter = 0;
  const tmp = (hint: string): string => `${hint}_${counter++}`;
  const get = (name: string): Float32Array => {
    const v = state.get(name);
    if (!v) throw new Error(`state dict has no "${name}"`);
    return v;
  };
  const init = (name: string, dims: number[], data: OnnxTensor['data']): string => {
    initializers.push({ name, dims, data });
    return name;
  };
  const param = (name: string, dims: number[]): string => init(name, dims, get(name));
  const node = (op: string, inputs: string[], attrs?: OnnxNode['attrs'], out = tmp(op.toLowerCase())): string => {
    nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  };
  const i64 = (name: string, values: number[], dims = [values.length]): string => init(name, dims, BigInt64Array.from(values.map(BigInt)));
  const f32 = (name: string, value: number): string => init(name, [], Float32Array.of(value));

  /** x[..., in] · Wᵀ + b with W [out, in] stored as a transposed [in, out] initializer. */
  const linear = (x: string, prefix: string, inF: number, outF: number): string => {
    const w = init(`${prefix}.weight_t`, [inF, outF], transpose2d(get(`${prefix}.weight`), outF, inF));
    return node('Add', [node('MatMul', [x, w]), param(`${prefix}.bias`, [outF])]);
  };
  const layerNorm = (x: string, prefix: string): string =>
    node('LayerNormalization', [x, param(`${prefix}.weight`, [d.dim]), param(`${prefix}.bias`, [d.dim])], { axis: -1, epsilon: { float: 1e-12 } });

  const { dim, nHeads, seq } = d;
  const headDim = dim / nHeads;
  // Embeddings.
  const word = node('Gather', [param('distilbert.embeddings.word_embeddings.weight', [d.vocabSize, dim]), 'input_ids'], { axis: 0 });
  const posIds = i64('position_ids', Array.from({ length: seq }, (_, i) => i));
  const pos = node('Gather', [param('distilbert.embeddings.position_embeddings.weight', [d.maxPositions, dim]), posIds], { axis: 0 });
  let x = layerNorm(node('Add', [word, pos]), 'distilbert.embeddings.LayerNorm');

  // Additive key mask [B, 1, 1, T]: (1 - mask) · float32 min.
  const one = f32('one', 1);
  const maskF = node('Cast', ['attention_mask'], { to: DataType.FLOAT });
  const maskAdd = node('Mul', [node('Sub', [one, maskF]), f32('mask_neg', F32_MIN)]);
  const mask4 = node('Reshape', [maskAdd, i64('mask_shape', [0, 1, 1, seq])]);

  const headsShape = i64('heads_shape', [0, 0, nHeads, headDim]);
  const mergeShape = i64('merge_shape', [0, 0, dim]);
  const scale = f32('attn_scale', 1 / Math.sqrt(headDim));
  const half = f32('half', 0.5);
  const invSqrt2 = f32('inv_sqrt2', Math.SQRT1_2);

  for (let l = 0; l < d.nLayers; l++) {
    const p = `distilbert.transformer.layer.${l}`;
    const split = (y: string, perm: number[]): string => node('Transpose', [node('Reshape', [y, headsShape])], { perm });
    const q = split(linear(x, `${p}.attention.q_lin`, dim, dim), [0, 2, 1, 3]); // [B, H, T, d]
    const kT = split(linear(x, `${p}.attention.k_lin`, dim, dim), [0, 2, 3, 1]); // [B, H, d, T]
    const v = split(linear(x, `${p}.attention.v_lin`, dim, dim), [0, 2, 1, 3]); // [B, H, T, d]
    const scores = node('Add', [node('Mul', [node('MatMul', [q, kT]), scale]), mask4]);
    const probs = node('Softmax', [scores], { axis: -1 });
    const ctx = node('Reshape', [node('Transpose', [node('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }), mergeShape]);
    const attn = linear(ctx, `${p}.attention.out_lin`, dim, dim);
    const h = layerNorm(node('Add', [attn, x]), `${p}.sa_layer_norm`);
    const a = linear(h, `${p}.ffn.lin1`, dim, d.hiddenDim);
    const gelu = node('Mul', [node('Mul', [a, half]), node('Add', [node('Erf', [node('Mul', [a, invSqrt2])]), one])]);
    const f = linear(gelu, `${p}.ffn.lin2`, d.hiddenDim, dim);
    x = layerNorm(node('Add', [f, h]), `${p}.output_layer_norm`);
  }
  // Head: hidden[:, 0] → pre_classifier → ReLU → classifier.
  const cls = node('Gather', [x, init('cls_index', [], BigInt64Array.of(0n))], { axis: 1 });
  const pre = node('Relu', [linear(cls, 'pre_classifier', dim, dim)]);
  const logits = linear(pre, 'classifier', dim, d.numLabels);
  nodes.push({ op: 'Identity', inputs: [logits], outputs: ['logits'] });

  return {
    name: 'distilbert_seq_cls',
    nodes,
    initializers,
    inputs: [
      { name: 'input_ids', elemType: DataType.INT64, shape: ['batch', seq] },
      { name: 'attention_mask', elemType: DataType.INT64, shape: ['batch', seq] },
    ],
    outputs: [{ name: 'logits', elemType: DataType.FLOAT, shape: ['batch', d.numLabels] }],
  };
}

/** The serialised ModelProto. */
export function exportDistilBertOnnx(state: Map<string, Float32Array>, d: DistilBertDims): Uint8Array {
  return encodeModel(buildDistilBertGraph(state, d));
}
