// DistilBertForSequenceClassification (transformers' modeling_distilbert.py, eval mode) as an ONNX graph
// (opset 17, default-domain ops only), laid out as Hugging Face's exporters (optimum) lay it out:
// inputs `input_ids` and `attention_mask`, int64 [batch_size, sequence_length] (both axes dynamic),
// output `logits`, float32 [batch_size, num_labels].
// The maths follows HF op for op: word + position embeddings (positions 0..T-1), LayerNorm eps 1e-12 (hard-coded
// in HF, not read from the config); per layer q/√d before q·kᵀ, scores at masked keys *replaced* by float32's
// minimum (masked_fill, not an additive mask), softmax, ·v, out_lin, residual + sa_layer_norm, lin1 → activation
// (exact erf GELU by default) → lin2, residual + output_layer_norm; then hidden[:, 0] → pre_classifier → ReLU →
// classifier. Dropout is the identity at inference. Linear weights are stored transposed ([in, out], named
// `<hf name>_t`) so each Linear is one MatMul + Add.
import type { DistilBertActivation, DistilBertConfig } from '../models/distilbert/config.js';
import { distilBertParameterShapes } from '../models/distilbert/weights_spec.js';
import { GraphBuilder } from './graph_builder.js';
import { DataType, type OnnxGraph } from './onnx_proto.js';

export const DISTILBERT_ONNX_OPSET = 17;
const LAYER_NORM_EPS = 1e-12;
const FLOAT32_MIN = -3.4028234663852886e38;

/** [rows, cols] row-major → [cols, rows]. */
function transpose2d(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = w[base + c]!;
  }
  return out;
}

/**
 * config, weights (HF names → values, every parameter of the classifier) → the graph.
 * Throws naming the tensor when one is missing or has the wrong number of values.
 */
export function buildDistilBertGraph(config: DistilBertConfig, weights: ReadonlyMap<string, Float32Array>): OnnxGraph {
  const shapes = new Map(distilBertParameterShapes(config, { withHead: true }));
  const g = new GraphBuilder();
  const get = (name: string): Float32Array => {
    const v = weights.get(name);
    const size = shapes.get(name)!.reduce((a, b) => a * b, 1);
    if (!v) throw new Error(`no weights for "${name}"`);
    if (v.length !== size) throw new Error(`"${name}" has ${v.length} values; [${shapes.get(name)}] needs ${size}`);
    return v;
  };
  const param = (name: string): string => g.tensor(name, shapes.get(name)!, get(name));
  /** x[..., in] → x · Wᵀ + b, W [out, in] stored as [in, out]. */
  const linear = (x: string, prefix: string, output?: string): string => {
    const [outF, inF] = shapes.get(`${prefix}.weight`)!;
    const wT = g.tensor(`${prefix}.weight_t`, [inF!, outF!], transpose2d(get(`${prefix}.weight`), outF!, inF!));
    return g.op('Add', [g.op('MatMul', [x, wT]), param(`${prefix}.bias`)], undefined, output);
  };
  const layerNorm = (x: string, prefix: string): string =>
    g.op('LayerNormalization', [x, param(`${prefix}.weight`), param(`${prefix}.bias`)], { axis: -1, epsilon: { float: LAYER_NORM_EPS } });

  const { dim, n_heads: heads } = config;
  const headDim = dim / heads;

  // Embeddings: positions 0..T-1 from the input's own length, so the sequence axis stays dynamic.
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), g.int64('axis_1', [1], [])], { axis: 0 });
  const positions = g.op('Range', [g.int64('zero', [0], []), seqLen, g.int64('step', [1], [])]);
  const word = g.op('Gather', [param('distilbert.embeddings.word_embeddings.weight'), 'input_ids'], { axis: 0 });
  const pos = g.op('Gather', [param('distilbert.embeddings.position_embeddings.weight'), positions], { axis: 0 });
  let x = layerNorm(g.op('Add', [word, pos]), 'distilbert.embeddings.LayerNorm');

  // Keys to hide, [B, 1, 1, T] bool: where attention_mask == 0.
  const masked = g.op('Unsqueeze', [g.op('Equal', ['attention_mask', g.int64('mask_off', [0], [])]), g.int64('mask_axes', [1, 2])]);
  const minScore = g.scalarF32('float32_min', FLOAT32_MIN);
  const headsShape = g.int64('heads_shape', [0, 0, heads, headDim]);
  const mergedShape = g.int64('merged_shape', [0, 0, dim]);
  const sqrtHeadDim = g.scalarF32('sqrt_head_dim', Math.sqrt(headDim));

  for (let l = 0; l < config.n_layers; l++) {
    const p = `distilbert.transformer.layer.${l}`;
    // [B, T, dim] → [B, H, T, d] (perm 0213) or [B, H, d, T] (perm 0231).
    const split = (y: string, perm: number[]): string => g.op('Transpose', [g.op('Reshape', [y, headsShape])], { perm });
    const q = split(g.op('Div', [linear(x, `${p}.attention.q_lin`), sqrtHeadDim]), [0, 2, 1, 3]);
    const kT = split(linear(x, `${p}.attention.k_lin`), [0, 2, 3, 1]);
    const v = split(linear(x, `${p}.attention.v_lin`), [0, 2, 1, 3]);
    const scores = g.op('Where', [masked, minScore, g.op('MatMul', [q, kT])]);
    const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), mergedShape]);
    const h = layerNorm(g.op('Add', [linear(merged, `${p}.attention.out_lin`), x]), `${p}.sa_layer_norm`);
    const ffn = linear(activation(g, config.activation, linear(h, `${p}.ffn.lin1`)), `${p}.ffn.lin2`);
    x = layerNorm(g.op('Add', [ffn, h]), `${p}.output_layer_norm`);
  }

  const cls = g.op('Gather', [x, g.int64('cls_position', [0], [])], { axis: 1 }); // hidden[:, 0]: [B, dim]
  const pooled = g.op('Relu', [linear(cls, 'pre_classifier')]);
  linear(pooled, 'classifier', 'logits');

  const tokens = ['batch_size', 'sequence_length'];
  return g.build(
    'DistilBertForSequenceClassification',
    [
      { name: 'input_ids', elemType: DataType.INT64, shape: tokens },
      { name: 'attention_mask', elemType: DataType.INT64, shape: tokens },
    ],
    [{ name: 'logits', elemType: DataType.FLOAT, shape: ['batch_size', config.num_labels] }],
  );
}

/** HF's ACT2FN for the activations DistilBertConfig allows, from elementwise ONNX ops. */
function activation(g: GraphBuilder, kind: DistilBertActivation, x: string): string {
  switch (kind) {
    case 'gelu': {
      // torch's exact GELU: x · 0.5 · (1 + erf(x / √2)).
      const erf = g.op('Erf', [g.op('Mul', [x, g.scalarF32('sqrt1_2', Math.SQRT1_2)])]);
      return g.op('Mul', [g.op('Mul', [x, g.scalarF32('half', 0.5)]), g.op('Add', [erf, g.scalarF32('one', 1)])]);
    }
    case 'relu':
      return g.op('Relu', [x]);
    case 'silu':
      return g.op('Mul', [x, g.op('Sigmoid', [x])]);
    case 'gelu_new': {
      // NewGELUActivation: 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).
      const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
      const inner = g.op('Add', [x, g.op('Mul', [cube, g.scalarF32('gelu_new_c', 0.044715)])]);
      const t = g.op('Tanh', [g.op('Mul', [inner, g.scalarF32('sqrt_2_over_pi', Math.sqrt(2 / Math.PI))])]);
      return g.op('Mul', [g.op('Mul', [x, g.scalarF32('half', 0.5)]), g.op('Add', [t, g.scalarF32('one', 1)])]);
    }
  }
}
