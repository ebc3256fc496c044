// Collects an ONNX graph's nodes and initializers as a model is walked: each op call names its output, so a
// model's forward reads as nested calls. Names are unique per builder; weights keep the names they are given.
import type { AttrValue, OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo } from './onnx_proto.js';

export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private readonly names = new Set<string>();
  /** Constants by name → their value, so asking again for the same constant reuses it. */
  private readonly constants = new Map<string, string>();
  private counter = 0;

  /** Adds node `op` → its output's name (`output` when given, else a fresh one). */
  op(op: string, inputs: string[], attrs?: Record<string, AttrValue>, output?: string): string {
    const out = output ?? this.fresh(op);
    this.claim(out);
    this.nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }

  /** An initializer (a weight or a constant) → its name. */
  tensor(name: string, dims: number[], data: OnnxTensor['data']): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size)
      throw new Error(`ONNX initializer ${name}: [${dims}] needs ${size} values, got ${data.length}`);
    this.claim(name);
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** A float32 scalar constant (made once per name). */
  scalarF32(name: string, value: number): string {
    return this.constant(name, `f32 ${value}`, () => this.tensor(name, [], Float32Array.of(value)));
  }

  /** An int64 constant, a scalar when `dims` is [] (made once per name). */
  int64(name: string, values: number[], dims: number[] = [values.length]): string {
    return this.constant(name, `i64 [${dims}] ${values}`, () =>
      this.tensor(
        name,
        dims,
        BigInt64Array.from(values, (v) => BigInt(v)),
      ),
    );
  }

  build(name: string, inputs: OnnxValueInfo[], outputs: OnnxValueInfo[]): OnnxGraph {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs, outputs };
  }

  private constant(name: string, key: string, make: () => string): string {
    const known = this.constants.get(name);
    if (known === undefined) {
      this.constants.set(name, key);
      return make();
    }
    if (known !== key) throw new Error(`ONNX graph: constant "${name}" is ${known}, asked again as ${key}`);
    return name;
  }

  private fresh(op: string): string {
    let name: string;
    do name = `/${op}_${this.counter++}_output`;
    while (this.names.has(name));
    return name;
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`ONNX graph: the name "${name}" is used twice`);
    this.names.add(name);
  }
}
