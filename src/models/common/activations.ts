// The activations the families' configs may name (HF's ACT2FN keys we support), and the function each one maps to.
import { add, addScalar, gelu, mul, mulScalar, relu, sigmoid, tanh } from '../../ops/elementwise.js';
import type { Tensor } from '../../tensor/tensor.js';

/** hidden_act / activation values we implement: exact GELU (HF's "gelu"), ReLU, SiLU, the tanh GELU ("gelu_new"). */
export const ACTIVATIONS = ['gelu', 'relu', 'silu', 'gelu_new'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** True when `name` is one of ACTIVATIONS. */
export function isActivation(name: unknown): name is Activation {
  return (ACTIVATIONS as readonly unknown[]).includes(name);
}

/** HF ACT2FN[name](x). x: [...] → [...]. */
export function activate(name: Activation, x: Tensor): Tensor {
  switch (name) {
    case 'gelu':
      return gelu(x); // exact erf form
    case 'relu':
      return relu(x);
    case 'silu':
      return mul(x, sigmoid(x));
    case 'gelu_new': {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const inner = mulScalar(add(x, mulScalar(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
      return mul(mulScalar(x, 0.5), addScalar(tanh(inner), 1));
    }
  }
}
