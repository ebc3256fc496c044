// Reverse-mode autograd: ops record a GradNode on their output; backward() walks the graph in reverse
// topological order, summing gradients, and adds the result into each leaf's `.grad`.
// Contract for every backward: it returns fresh tensors (never its incoming gradient, never one tensor twice), so
// the pass owns them and sums a second gradient into the first in place.
// The tape sits below the ops: it uses only the primitives of ops/basic.ts (fill, in-place add), which record nothing.
import { gradEnabled, noGrad, type GradNode, type Tensor } from '../tensor/tensor.js';
import { keep } from '../tensor/scope.js';
import { addInto, onesLike } from '../ops/basic.js';

/** Attaches a backward to `output` when any input needs a gradient; returns `output`. */
export function record(op: string, inputs: Tensor[], output: Tensor, backward: GradNode['backward']): Tensor {
  if (gradEnabled() && inputs.some((t) => t.requiresGrad)) {
    output.requiresGrad = true;
    output.gradFn = { op, inputs, backward };
  }
  return output;
}

/** Computes d(root)/d(leaf) for every leaf with requiresGrad, adding into leaf.grad. root: any shape. */
export function backward(root: Tensor, gradRoot?: Tensor): void {
  // Backward ops are not themselves recorded (no higher-order gradients).
  noGrad(() => backwardPass(root, gradRoot));
}

function backwardPass(root: Tensor, gradRoot?: Tensor): void {
  if (!root.requiresGrad) {
    throw new Error(
      'backward(): the tensor does not require grad (no parameter reached it, or it was made under noGrad)',
    );
  }
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, gradRoot ?? onesLike(root));
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const g = grads.get(t);
    if (!g) continue;
    grads.delete(t);
    const node = t.gradFn;
    if (!node) {
      accumulateLeaf(t, g);
      continue;
    }
    const inputGrads = node.backward(g);
    g.dispose();
    node.inputs.forEach((input, k) => {
      const ig = inputGrads[k];
      if (!ig) return;
      if (!input.requiresGrad) {
        ig.dispose();
        return;
      }
      const prev = grads.get(input);
      if (prev) {
        addInto(prev, ig);
        ig.dispose();
      } else grads.set(input, ig);
    });
  }
}

function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  if (leaf.grad && !leaf.grad.isDisposed) {
    addInto(leaf.grad, g);
    g.dispose();
  } else {
    leaf.grad = keep(g.shape.length === leaf.shape.length ? g : g.reshape(leaf.shape));
    if (leaf.grad !== g) g.dispose();
  }
}

function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: the graph of a 6-layer model is deep enough to matter for recursion.
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i];
      if (next.requiresGrad && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}
