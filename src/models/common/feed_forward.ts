// The position-wise feed-forward block: in-projection → activation → out-projection → dropout (DistilBERT's FFN
// lin1/lin2, BERT's intermediate.dense/output.dense). Names and activation come from the spec.
import type { DropoutRng } from '../../ops/dropout.js';
import { Dropout, Linear } from '../../nn/layers.js';
import { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/tensor.js';
import { activate, type Activation } from './activations.js';
import type { EncoderSpec } from './encoder_spec.js';

/** x: [..., hidden] → [..., hidden]. */
export class FeedForward extends Module {
  readonly dropout: Dropout;
  readonly intermediate: Linear;
  readonly output: Linear;
  readonly activation: Activation;
  constructor(spec: EncoderSpec, rng: DropoutRng) {
    super();
    const { hidden, intermediate } = spec.dims;
    this.activation = spec.activation;
    this.dropout = this.addModule('dropout', new Dropout(spec.dropout.ffn, rng));
    this.intermediate = this.addModule(spec.names.ffnIn, new Linear(hidden, intermediate, spec.initializerRange));
    this.output = this.addModule(spec.names.ffnOut, new Linear(intermediate, hidden, spec.initializerRange));
  }
  forward(x: Tensor): Tensor {
    // Exact GELU (the families' default) is fused into the in-projection's matmul epilogue; the others run after it.
    const h =
      this.activation === 'gelu'
        ? this.intermediate.forward(x, 'gelu')
        : activate(this.activation, this.intermediate.forward(x));
    return this.dropout.forward(this.output.forward(h));
  }
}
