// Module: a tree of named parameters and children, as torch.nn.Module. Registration order is PyTorch's, so
// namedParameters() walks own parameters first, then each child in the order it was registered.
import { empty } from '../ops/kernel.js';
import { keep } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';

/** How a parameter is initialised (HF `_init_weights`): its host values from a seeded stream. */
export type ParameterInit = (size: number, seed: number) => Float32Array;

export abstract class Module {
  /** Dropout on (train) or off (eval). New modules start in training mode, as torch's. */
  training = true;
  private readonly ownParameters: [string, Tensor][] = [];
  private readonly ownInits = new Map<string, ParameterInit>();
  private readonly childModules: [string, Module][] = [];

  /** Creates a leaf parameter of `shape` (uninitialised GPU memory until init or load) kept out of tidy scopes. */
  protected addParameter(name: string, shape: readonly number[], init: ParameterInit): Tensor {
    const p = keep(empty(shape)).requireGrad();
    this.ownParameters.push([name, p]);
    this.ownInits.set(name, init);
    return p;
  }

  /**
   * Registers a child. A dotted name places it deeper without intermediate modules ("attention.output.LayerNorm");
   * '' makes it transparent: its parameters are named as if they were this module's (HF layouts that split one
   * block's parameters over several parents).
   */
  protected addModule<M extends Module>(name: string, module: M): M {
    this.childModules.push([name, module]);
    return module;
  }

  children(): [string, Module][] {
    return [...this.childModules];
  }

  /** [fullName, parameter][] in PyTorch's named_parameters() order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = this.ownParameters.map(([n, p]) => [prefix + n, p]);
    for (const [n, m] of this.childModules) out.push(...m.namedParameters(childPrefix(prefix, n)));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** [fullName, init][] for every parameter, in the same order as namedParameters(). */
  namedInits(prefix = ''): [string, ParameterInit][] {
    const out: [string, ParameterInit][] = this.ownParameters.map(([n]) => [prefix + n, this.ownInits.get(n)!]);
    for (const [n, m] of this.childModules) out.push(...m.namedInits(childPrefix(prefix, n)));
    return out;
  }

  train(mode = true): this {
    this.training = mode;
    for (const [, m] of this.childModules) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient (torch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = undefined;
    }
  }

  /** Frees the parameters, their gradients and whatever the modules derived from them (children first). */
  dispose(): void {
    for (const [, child] of this.childModules) child.dispose();
    for (const [, p] of this.ownParameters) {
      p.grad?.dispose();
      p.grad = undefined;
      p.dispose();
    }
  }
}

function childPrefix(prefix: string, name: string): string {
  return name === '' ? prefix : `${prefix}${name}.`;
}
