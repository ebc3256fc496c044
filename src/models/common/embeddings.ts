// The embeddings of the BERT family: word + token type (when the family has them) + learned position embeddings,
// then LayerNorm, then dropout (HF's BertEmbeddings, RobertaEmbeddings, DistilBERT's Embeddings). The position ids
// come from the caller (arange, or RoBERTa's padding-offset numbering: inputs.ts).
import { full, tensor } from '../../ops/basic.js';
import type { DropoutRng } from '../../ops/dropout.js';
import { add } from '../../ops/elementwise.js';
import { Dropout, Embedding, LayerNorm } from '../../nn/layers.js';
import { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { EncoderSpec } from './encoder_spec.js';

export class Embeddings extends Module {
  readonly wordEmbeddings: Embedding;
  readonly positionEmbeddings: Embedding;
  /** Absent when the family has no token types (DistilBERT). */
  readonly tokenTypeEmbeddings?: Embedding;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;
  constructor(spec: EncoderSpec, rng: DropoutRng) {
    super();
    const { vocab, hidden, positions, typeVocab } = spec.dims;
    const ir = spec.initializerRange;
    // RoBERTa's position table has padding_idx = pad_token_id too: padding tokens sit there and it gets no gradient.
    const positionPad = spec.positions === 'padding-offset' ? spec.padTokenId : null;
    this.wordEmbeddings = this.addModule('word_embeddings', new Embedding(vocab, hidden, spec.padTokenId, ir));
    this.positionEmbeddings = this.addModule('position_embeddings', new Embedding(positions, hidden, positionPad, ir));
    if (typeVocab > 0)
      this.tokenTypeEmbeddings = this.addModule('token_type_embeddings', new Embedding(typeVocab, hidden, null, ir));
    this.layerNorm = this.addModule('LayerNorm', new LayerNorm(hidden, spec.eps));
    this.dropout = this.addModule('dropout', new Dropout(spec.dropout.embeddings, rng));
  }

  /** ids: int32 [B, T] → [B, T, hidden], with positions 0..T-1 and token type 0. */
  forward(ids: Tensor): Tensor {
    const t = ids.shape[1];
    const positions = tensor(
      Int32Array.from({ length: t }, (_, i) => i),
      [t],
    ); // position_ids = arange(T)
    return this.forwardTokens(ids, positions); // [B,T,C] + [T,C]
  }

  /**
   * ids: int32 [..., N]; positions: int32 [N] (shared by every row) or the shape of ids; tokenTypes: the shape of ids
   * (absent: type 0, as HF's zero buffer) → [..., N, hidden]. Packed tokens (packing.ts) too.
   */
  forwardTokens(ids: Tensor, positions: Tensor, tokenTypes?: Tensor): Tensor {
    let x = this.wordEmbeddings.forward(ids);
    // HF's order: word + token type, then + position (rounding follows the same sums).
    if (this.tokenTypeEmbeddings) x = add(x, this.tokenTypeEmbeddings.forward(tokenTypes ?? full(ids.shape, 0, 'i32')));
    x = add(x, this.positionEmbeddings.forward(positions));
    return this.dropout.forward(this.layerNorm.forward(x));
  }
}
