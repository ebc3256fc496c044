// Float64 references for the embedding lookup and its gradient (torch padding_idx: that row gets no gradient).
import { nd, type NdArray } from './nd.js';

/** weight: [V, C], ids (shape idsShape) → [...idsShape, C]. */
export function embedding(weight: NdArray, ids: ArrayLike<number>, idsShape: readonly number[]): NdArray {
  const dim = weight.shape[1];
  const out = nd([...idsShape, dim]);
  for (let t = 0; t < ids.length; t++)
    for (let c = 0; c < dim; c++) out.data[t * dim + c] = weight.data[ids[t] * dim + c];
  return out;
}

/** dy: [tokens, C] → dweight [V, C]. */
export function embeddingBackward(ids: ArrayLike<number>, dy: NdArray, vocab: number, paddingIdx = -1): NdArray {
  const dim = dy.shape[dy.shape.length - 1];
  const out = nd([vocab, dim]);
  for (let t = 0; t < ids.length; t++) {
    if (ids[t] === paddingIdx) continue;
    for (let c = 0; c < dim; c++) out.data[ids[t] * dim + c] += dy.data[t * dim + c];
  }
  return out;
}
