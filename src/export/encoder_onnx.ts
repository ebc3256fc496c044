// A sequence classifier of the BERT family (DistilBERT, BERT, RoBERTa; transformers' modeling code, eval mode) as
// an ONNX graph (opset 17, default-domain ops only), laid out as Hugging Face's exporters (optimum) lay it out:
// inputs `input_ids`, `attention_mask` (and `token_type_ids` for BERT), int64 [batch_size, sequence_length] (both
// axes dynamic), output `logits`, float32 [batch_size, num_labels]. Built from the family's EncoderSpec (names,
// LayerNorm eps, activation, position numbering), the same description the modules are built from.
// The maths follows HF op for op: word (+ token type) + position embeddings (positions 0..T-1, or RoBERTa's
// padding_idx + cumulative count of non-padding ids), LayerNorm; per layer q/√d before q·kᵀ, scores at masked keys
// *replaced* by float32's minimum (DistilBERT's masked_fill; BERT's additive finfo.min mask gives the same
// probabilities), softmax, ·v, the output projection, residual + LayerNorm, in-projection → activation (exact erf GELU
// by default) → out-projection, residual + LayerNorm; then the family's head on hidden[:, 0]. Dropout is the identity
// at inference. Linear weights are stored transposed ([in, out], named `<hf name>_t`) so each Linear is one MatMul +
// Add.
import type { Activation } from '../models/common/activations.js';
import type { EncoderSpec, ParameterShape } from '../models/common/encoder_spec.js';
import { GraphBuilder } from './graph_builder.js';
import { DataType, type OnnxGraph } from './onnx_proto.js';

export const ENCODER_ONNX_OPSET = 17;
const FLOAT32_MIN = -3.4028234663852886e38;

/** How a family's head turns hidden[:, 0] into logits, from graph ops (x: [B, hidden] → the `logits` output). */
export type OnnxHead = (g: GraphOps, cls: string) => void;

/** What a head needs: Linear by HF name (writing its output to `output` when given) and elementwise ops. */
export interface GraphOps {
  g: GraphBuilder;
  linear(x: string, prefix: string, output?: string): string;
}

/**
 * What each registered family's …ForSequenceClassification adds to the shared graph, by model_type: its head, and
 * whether HF's exports take token_type_ids (BERT's tokenizer returns them; DistilBERT's and RoBERTa's do not).
 */
export const ONNX_FAMILIES: Readonly<Record<string, { head: OnnxHead; tokenTypesInput: boolean }>> = {
  // pre_classifier → ReLU → classifier
  distilbert: {
    head: ({ g, linear }, cls) => void linear(g.op('Relu', [linear(cls, 'pre_classifier')]), 'classifier', 'logits'),
    tokenTypesInput: false,
  },
  // the pooler tanh(dense(h[:, 0])) → classifier
  bert: {
    head: ({ g, linear }, cls) => void linear(g.op('Tanh', [linear(cls, 'bert.pooler.dense')]), 'classifier', 'logits'),
    tokenTypesInput: true,
  },
  // classifier.dense → tanh → classifier.out_proj
  roberta: {
    head: ({ g, linear }, cls) =>
      void linear(g.op('Tanh', [linear(cls, 'classifier.dense')]), 'classifier.out_proj', 'logits'),
    tokenTypesInput: false,
  },
};

export interface EncoderGraphSpec {
  /** HF's class name: the graph's name. */
  className: string;
  spec: EncoderSpec;
  /** The body's names start with it ("bert."). */
  prefix: string;
  /** Every parameter's HF name and shape (the classifier's parameterShapes). */
  shapes: ParameterShape[];
  numLabels: number;
  head: OnnxHead;
  /** Take token_type_ids as an input (BERT: yes; RoBERTa, whose table has one row: no, type 0). */
  tokenTypesInput: boolean;
}

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
 * The classifier (its spec), weights (HF names → values, every parameter) → the graph. Throws naming the tensor when
 * one is missing or has the wrong number of values.
 */
export function buildEncoderGraph(m: EncoderGraphSpec, weights: ReadonlyMap<string, Float32Array>): OnnxGraph {
  const shapes = new Map(m.shapes);
  const g = new GraphBuilder();
  const get = (name: string): Float32Array => {
    const v = weights.get(name);
    const shape = shapes.get(name);
    if (!v || !shape) throw new Error(`no weights for "${name}"`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (v.length !== size) throw new Error(`"${name}" has ${v.length} values; [${shape}] needs ${size}`);
    return v;
  };
  const param = (name: string): string => g.tensor(name, shapes.get(name)!, get(name));
  /** x[..., in] → x · Wᵀ + b, W [out, in] stored as [in, out]. */
  const linear = (x: string, prefix: string, output?: string): string => {
    const [outF, inF] = shapes.get(`${prefix}.weight`) ?? [];
    if (outF === undefined) throw new Error(`no weights for "${prefix}.weight"`);
    const wT = g.tensor(`${prefix}.weight_t`, [inF!, outF], transpose2d(get(`${prefix}.weight`), outF, inF!));
    return g.op('Add', [g.op('MatMul', [x, wT]), param(`${prefix}.bias`)], undefined, output);
  };
  const { spec, prefix: p } = m;
  const layerNorm = (x: string, name: string): string =>
    g.op('LayerNormalization', [x, param(`${name}.weight`), param(`${name}.bias`)], {
      axis: -1,
      epsilon: { float: spec.eps },
    });

  let x = layerNorm(embeddings(g, m, param), `${p}embeddings.LayerNorm`);
  x = encoderLayers(g, m, x, linear, layerNorm);
  const cls = g.op('Gather', [x, g.int64('cls_position', [0], [])], { axis: 1 }); // hidden[:, 0]: [B, hidden]
  m.head({ g, linear }, cls);

  const tokens = ['batch_size', 'sequence_length'];
  const inputs = ['input_ids', 'attention_mask', ...(m.tokenTypesInput ? ['token_type_ids'] : [])];
  return g.build(
    m.className,
    inputs.map((name) => ({ name, elemType: DataType.INT64, shape: tokens })),
    [{ name: 'logits', elemType: DataType.FLOAT, shape: ['batch_size', m.numLabels] }],
  );
}

/** word (+ token type) + position embeddings, before their LayerNorm: [B, T, hidden]. */
function embeddings(g: GraphBuilder, m: EncoderGraphSpec, param: (name: string) => string): string {
  const { spec, prefix: p } = m;
  let x = g.op('Gather', [param(`${p}embeddings.word_embeddings.weight`), 'input_ids'], { axis: 0 });
  if (spec.dims.typeVocab > 0) {
    // Without a token_type_ids input every token is type 0 (HF's zero buffer): gather row 0 for each id.
    const types = m.tokenTypesInput ? 'token_type_ids' : g.op('Mul', ['input_ids', g.int64('zero_i64', [0], [])]);
    x = g.op('Add', [x, g.op('Gather', [param(`${p}embeddings.token_type_embeddings.weight`), types], { axis: 0 })]);
  }
  return g.op('Add', [
    x,
    g.op('Gather', [param(`${p}embeddings.position_embeddings.weight`), positionIds(g, spec)], { axis: 0 }),
  ]);
}

/** Position ids: 0..T-1 from the input's own length ([T]), or RoBERTa's numbering from input_ids ([B, T]). */
function positionIds(g: GraphBuilder, spec: EncoderSpec): string {
  if (spec.positions === 'arange') {
    const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), g.int64('axis_1', [1], [])], { axis: 0 });
    return g.op('Range', [g.int64('zero', [0], []), seqLen, g.int64('step', [1], [])]);
  }
  // HF create_position_ids_from_input_ids: mask = ids ≠ pad; (cumsum(mask) · mask) + pad.
  const pad = g.int64('padding_idx', [spec.padTokenId!], []);
  const real = g.op('Cast', [g.op('Not', [g.op('Equal', ['input_ids', pad])])], { to: DataType.INT64 });
  const counts = g.op('CumSum', [real, g.int64('axis_1_scalar', [1], [])]);
  return g.op('Add', [g.op('Mul', [counts, real]), pad]);
}

/** The encoder layers over x [B, T, hidden]. */
function encoderLayers(
  g: GraphBuilder,
  m: EncoderGraphSpec,
  input: string,
  linear: (x: string, prefix: string) => string,
  layerNorm: (x: string, name: string) => string,
): string {
  const { spec, prefix: p } = m;
  const { hidden, heads } = spec.dims;
  const n = spec.names;
  const headDim = hidden / heads;
  // Keys to hide, [B, 1, 1, T] bool: where attention_mask == 0.
  const masked = g.op('Unsqueeze', [
    g.op('Equal', ['attention_mask', g.int64('mask_off', [0], [])]),
    g.int64('mask_axes', [1, 2]),
  ]);
  const minScore = g.scalarF32('float32_min', FLOAT32_MIN);
  const headsShape = g.int64('heads_shape', [0, 0, heads, headDim]);
  const mergedShape = g.int64('merged_shape', [0, 0, hidden]);
  const sqrtHeadDim = g.scalarF32('sqrt_head_dim', Math.sqrt(headDim));
  let x = input;
  for (let l = 0; l < spec.dims.layers; l++) {
    const layer = `${p}${n.layers}.${l}`;
    const attn = `${layer}.attention`;
    // [B, T, hidden] → [B, H, T, d] (perm 0213) or [B, H, d, T] (perm 0231).
    const split = (y: string, perm: number[]): string =>
      g.op('Transpose', [g.op('Reshape', [y, headsShape])], { perm });
    const q = split(g.op('Div', [linear(x, `${attn}.${n.query}`), sqrtHeadDim]), [0, 2, 1, 3]);
    const kT = split(linear(x, `${attn}.${n.key}`), [0, 2, 3, 1]);
    const v = split(linear(x, `${attn}.${n.value}`), [0, 2, 1, 3]);
    const scores = g.op('Where', [masked, minScore, g.op('MatMul', [q, kT])]);
    const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), mergedShape]);
    const h = layerNorm(
      g.op('Add', [linear(merged, `${attn}.${n.attentionOutput}`), x]),
      `${layer}.${n.attentionLayerNorm}`,
    );
    const ffn = n.ffn === '' ? layer : `${layer}.${n.ffn}`;
    const out = linear(activation(g, spec.activation, linear(h, `${ffn}.${n.ffnIn}`)), `${ffn}.${n.ffnOut}`);
    x = layerNorm(g.op('Add', [out, h]), `${layer}.${n.outputLayerNorm}`);
  }
  return x;
}

/** HF's ACT2FN for the supported activations, from elementwise ONNX ops. */
function activation(g: GraphBuilder, kind: Activation, x: string): string {
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
