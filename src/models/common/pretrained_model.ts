// PreTrainedModel: what every model class shares, whatever its family or head (transformers' PreTrainedModel):
// fromConfig / fromPretrained with HF's loading report, the dropout stream, state dicts, save_pretrained's files,
// AdamW's parameter groups and float16 weight copies. A class brings its static description (ModelClassStatics):
// its HF class name, its family, whether it is the base model, and its parameters' names and shapes for a config.
import { defaultFileWriter, type FileSource, type FileWriter, type SourceOptions } from '../../io/files.js';
import { openModelSource } from '../../io/progress.js';
import { serializeSafetensors, type SafetensorsTensor, type SafetensorsWriteTensor } from '../../io/safetensors.js';
import { setLinearWeightDtype } from '../../nn/layers.js';
import { Module } from '../../nn/module.js';
import { parameterSeed } from '../../nn/init.js';
import { DropoutRng } from '../../ops/dropout.js';
import type { ParamGroup } from '../../optim/adamw.js';
import { init, runtime } from '../../runtime/device.js';
import type { Tensor } from '../../tensor/tensor.js';
import { describeValue, optionsObject } from '../../util/check.js';
import { decayParameterNames, layerNormParamTest, matchCheckpoint } from './checkpoint_names.js';
import type { PretrainedConfig } from './config_base.js';
import type { ParameterShape } from './encoder_spec.js';
import type { ModelFamily } from './family.js';
import { CONFIG_NAME, loadingMessages, readPretrained, type LoadingInfo } from './pretrained_files.js';

/** The static side every model class provides. */
export interface ModelClassStatics {
  /** HF's class name ("BertForSequenceClassification"): config.json's architectures, messages. */
  readonly className: string;
  readonly family: ModelFamily<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The family's base model (BertModel): its names carry no prefix. */
  readonly isBaseModel: boolean;
  /** config → this class's [name, shape][] in named_parameters() order (no GPU needed). */
  parameterShapes(config: PretrainedConfig): ParameterShape[];
}

/** A model class as its static methods see it (works for protected constructors too). */
export type ModelClassOf<M> = { prototype: M } & ModelClassStatics;

/** A model class with its loaders, as the registry holds it. */
export type ModelClass<M> = ModelClassOf<M> & {
  fromConfig(config: object, options?: { seed?: number }): M;
  fromPretrained(location: string | FileSource, options?: FromPretrainedOptions): Promise<M>;
};

export interface FromPretrainedOptions extends SourceOptions {
  numLabels?: number;
  id2label?: Record<number, string>;
  label2id?: Record<string, number>;
  /** Seed for tensors the checkpoint lacks (e.g. a new head) and for the dropout stream. Default 42. */
  seed?: number;
  /** HF ignore_mismatched_sizes: re-initialise tensors whose checkpoint shape differs instead of failing. */
  ignoreMismatchedSizes?: boolean;
  /** Receives HF's warnings (missing / mismatched weights). Default console.warn. */
  onWarning?: (message: string) => void;
  /** Receives HF's info-level messages (unused checkpoint weights of another architecture). Default: dropped. */
  onInfo?: (message: string) => void;
}

export interface SaveOptions {
  /** Save weights holding NaN or ±Inf anyway (default false: an error naming the parameter). */
  allowNonFinite?: boolean;
}

export const DEFAULT_SEED = 42;

export abstract class PreTrainedModel<C extends PretrainedConfig = PretrainedConfig> extends Module {
  /** The one dropout stream of the model (save its state() in checkpoints; restore seed and offset to resume). */
  readonly dropoutRng: DropoutRng;
  /** What the last fromPretrained found (empty lists for fromConfig). */
  loadingInfo: LoadingInfo = { missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] };
  /** Checkpoint tensors that held NaN or ±Inf values (fromPretrained warns about them): none in a sound model. */
  nonFiniteWeights: Array<{ name: string; count: number }> = [];
  protected readonly seed: number;

  /**
   * Builds the modules with uninitialised parameters: use fromConfig or fromPretrained. A body inside a head model
   * shares the head model's dropout stream (`rng`).
   */
  protected constructor(
    readonly config: C,
    seed: number,
    rng?: DropoutRng,
  ) {
    super();
    this.seed = seed;
    this.dropoutRng = rng ?? new DropoutRng(seed);
  }

  /** HF's class name of this model ("BertForSequenceClassification"). */
  get className(): string {
    return this.statics.className;
  }

  /** The model family in messages ("DistilBERT", "BERT", "RoBERTa"). */
  get familyName(): string {
    return this.statics.family.name;
  }

  /** This instance's class description. */
  protected get statics(): ModelClassStatics {
    return this.constructor as unknown as ModelClassStatics;
  }

  /** Gives every parameter its full HF name (p.name): the last step of the outermost class's constructor. */
  protected nameParameters(): void {
    for (const [name, p] of this.namedParameters()) p.name = name;
  }

  /**
   * A randomly initialised model (HF _init_weights: N(0, initializer_range) weights, zero biases, LayerNorm 1/0, zero
   * padding rows). config: the family's config or its fields.
   */
  static fromConfig<M extends PreTrainedModel>(
    this: ModelClassOf<M>,
    config: M['config'] | object,
    options: { seed?: number } = {},
  ): M {
    const where = `${this.className}.fromConfig`;
    const { family } = this;
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new TypeError(
        `${where}: config must be a ${family.configClassName} or its fields (${family.fieldsHint}), got ${describeValue(config)}`,
      );
    }
    options = optionsObject(options, where);
    const Ctor = this as unknown as new (config: PretrainedConfig, seed: number) => M;
    const model = new Ctor(family.toConfig(config, family.configClassName), options.seed ?? DEFAULT_SEED);
    model.initParameters();
    return model;
  }

  /**
   * Loads config.json and model.safetensors (or a sharded index) from a directory (Node), base URL (browser) or
   * FileSource. Tensors the checkpoint lacks (a base or MLM checkpoint has no classification head) are initialised as
   * HF does and reported on `loadingInfo` and through onWarning. The model comes back in eval mode (dropout off), as
   * HF's from_pretrained returns it; the Trainer switches it to train().
   */
  static async fromPretrained<M extends PreTrainedModel>(
    this: ModelClassOf<M>,
    location: string | FileSource,
    options: FromPretrainedOptions = {},
  ): Promise<M> {
    const where = `${this.className}.fromPretrained`;
    options = optionsObject(options, where);
    await init(); // the runtime with its defaults, unless init(options) started it already
    const { numLabels, id2label, label2id } = options;
    const { family } = this;
    const files = await readPretrained(
      openModelSource(location, options, `${where}: location`),
      (json, name) => family.configFromJSON(json, name, { numLabels, id2label, label2id }),
      location,
    );
    const shapes = new Map([...files.tensors].map(([n, t]) => [n, [...t.shape]] as [string, number[]]));
    const spec = {
      className: this.className,
      prefix: family.prefix,
      baseModel: this.isBaseModel,
      buffers: family.buffers,
    };
    const match = matchCheckpoint(shapes, new Map(this.parameterShapes(files.config)), spec, {
      fileName: files.weightsName,
      ignoreMismatchedSizes: options.ignoreMismatchedSizes,
    });
    const Ctor = this as unknown as new (config: PretrainedConfig, seed: number) => M;
    const model = new Ctor(files.config, options.seed ?? DEFAULT_SEED);
    try {
      model.initParameters(new Set([...match.missingKeys, ...match.mismatched.map((m) => m.name)]));
      model.uploadCheckpoint(match.mapping, files.tensors, files.weightsName);
    } catch (err) {
      model.dispose();
      throw err;
    }
    model.loadingInfo = {
      missingKeys: match.missingKeys,
      unexpectedKeys: match.unexpectedKeys,
      mismatchedKeys: match.mismatched,
    };
    const { warnings, infos } = loadingMessages(
      model.loadingInfo,
      files.location,
      files.config.architectures,
      this.className,
    );
    if (model.nonFiniteWeights.length > 0) warnings.push(nonFiniteWarning(model.nonFiniteWeights, files.weightsName));
    for (const w of warnings) (options.onWarning ?? console.warn)(w);
    for (const m of infos) options.onInfo?.(m);
    return model.eval();
  }

  /** Initialises every parameter (or only those named in `only`) from the model seed. */
  protected initParameters(only?: Set<string>): void {
    const params = this.namedParameters();
    this.namedInits().forEach(([name, init], i) => {
      if (only && !only.has(name)) return;
      const p = params[i]![1];
      writeParameter(p, init(p.size, parameterSeed(this.seed, i)));
    });
  }

  private uploadCheckpoint(
    mapping: Map<string, string>,
    tensors: Map<string, SafetensorsTensor>,
    fileName: string,
  ): void {
    for (const [name, p] of this.namedParameters()) {
      const fileKey = mapping.get(name);
      if (fileKey === undefined) continue;
      const t = tensors.get(fileKey)!;
      const data = t.data(); // F16/BF16/F64 arrive widened to float32 (io/safetensors_decode.ts)
      if (!(data instanceof Float32Array))
        throw new Error(`${fileName}: tensor "${fileKey}" has dtype ${t.dtype}; a parameter needs a float dtype`);
      const bad = countNonFinite(data);
      if (bad > 0) this.nonFiniteWeights.push({ name: fileKey, count: bad });
      writeParameter(p, data);
    }
  }

  /**
   * 'f16': every Linear product (all but embeddings, LayerNorm and the attention products) reads float16 copies of the
   * weights, cast once per weight version (a step's micro-batches and evaluations share them): half the weight
   * traffic; f32 accumulation, activations, gradients and master weights. Needs the adapter feature shader-f16.
   * 'f32' (the default) turns it off.
   */
  setMatmulDtype(dtype: 'f32' | 'f16'): this {
    if (dtype !== 'f32' && dtype !== 'f16')
      throw new Error(`setMatmulDtype: expected 'f32' or 'f16', got ${JSON.stringify(dtype)}`);
    if (dtype === 'f16' && !runtime().features.has('shader-f16')) {
      throw new Error(
        `setMatmulDtype('f16'): this adapter (${runtime().info.description}) lacks the WebGPU feature shader-f16`,
      );
    }
    setLinearWeightDtype(this, dtype);
    return this;
  }

  /** AdamW groups as Trainer.create_optimizer builds them: decayed parameters first, then the rest with 0. */
  optimizerGroups(weightDecay: number): ParamGroup[] {
    const named = this.namedParameters();
    const decay = new Set(
      decayParameterNames(
        named.map(([n]) => n),
        layerNormParamTest(this.statics.family.layerNormModules),
      ),
    );
    return [
      { params: named.filter(([n]) => decay.has(n)).map(([, p]) => p), weightDecay },
      { params: named.filter(([n]) => !decay.has(n)).map(([, p]) => p), weightDecay: 0 },
    ];
  }

  /** name → values of every parameter (reads back from the GPU). */
  async stateDict(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name, p] of this.namedParameters()) out.set(name, (await p.data()) as Float32Array);
    return out;
  }

  /** Overwrites every parameter (strict: the names must be exactly the model's, the sizes must match). */
  loadStateDict(state: Map<string, Float32Array> | Record<string, Float32Array>): void {
    const map = state instanceof Map ? state : new Map(Object.entries(state));
    const named = this.namedParameters();
    const missing = named.map(([n]) => n).filter((n) => !map.has(n));
    const known = new Set(named.map(([n]) => n));
    const unexpected = [...map.keys()].filter((n) => !known.has(n));
    if (missing.length || unexpected.length) {
      throw new Error(
        `loadStateDict: missing keys [${missing.join(', ')}], unexpected keys [${unexpected.join(', ')}]`,
      );
    }
    for (const [name, p] of named) {
      const v = map.get(name)!;
      if (v.length !== p.size)
        throw new Error(`loadStateDict: "${name}" has ${v.length} values, the parameter [${p.shape}] needs ${p.size}`);
    }
    for (const [name, p] of named) writeParameter(p, map.get(name)!);
  }

  /**
   * The files save_pretrained writes: config.json and model.safetensors (HF's byte layout). Weights holding NaN or
   * ±Inf are refused (an error naming the parameter) unless `allowNonFinite`: a diverged model is never saved unasked.
   */
  async saveFiles(options: SaveOptions = {}): Promise<Map<string, Uint8Array>> {
    this.config.architectures = [this.statics.className];
    this.config.dtype = 'float32';
    const tensors: Record<string, SafetensorsWriteTensor> = {};
    for (const [name, p] of this.namedParameters()) {
      const data = (await p.data()) as Float32Array;
      const bad = options.allowNonFinite ? 0 : countNonFinite(data);
      if (bad > 0) throw new NonFiniteWeightsError(name, bad, data.length);
      tensors[name] = { shape: p.shape, data };
    }
    return new Map([
      [CONFIG_NAME, new TextEncoder().encode(this.config.toJSONString())],
      ['model.safetensors', serializeSafetensors(tensors, { format: 'pt' })],
    ]);
  }

  /** Writes the model directory (Node registers a file-system writer; elsewhere pass one). */
  async savePretrained(
    dir: string,
    writer: FileWriter = defaultFileWriter(),
    options: SaveOptions = {},
  ): Promise<void> {
    if (typeof dir !== 'string' || dir === '')
      throw new TypeError(`savePretrained: dir must be a non-empty directory path, got ${describeValue(dir)}`);
    if (typeof writer !== 'function') {
      throw new TypeError(
        `savePretrained: writer must be a function (dir, files) => Promise<void>, got ${describeValue(writer)}`,
      );
    }
    await writer(dir, await this.saveFiles(options));
  }
}

/** A parameter holds NaN or ±Inf where a model was about to be saved. */
export class NonFiniteWeightsError extends Error {
  override readonly name = 'NonFiniteWeightsError';
  constructor(
    readonly parameter: string,
    readonly count: number,
    readonly size: number,
  ) {
    super(
      `parameter "${parameter}" holds ${count} non-finite value${count > 1 ? 's' : ''} (NaN or ±Inf) of ${size}: not saved`,
    );
  }
}

function countNonFinite(data: Float32Array): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) n++;
  return n;
}

function nonFiniteWarning(bad: ReadonlyArray<{ name: string; count: number }>, fileName: string): string {
  const list =
    bad
      .slice(0, 5)
      .map((b) => `${b.name} (${b.count})`)
      .join(', ') + (bad.length > 5 ? `, … ${bad.length - 5} more` : '');
  return (
    `${fileName}: ${bad.length} tensor${bad.length > 1 ? 's hold' : ' holds'} non-finite values (NaN or ±Inf): ${list}. ` +
    "This model's outputs will not be finite: the checkpoint is damaged, or was saved from a run that diverged."
  );
}

/** Overwrites a parameter's values and bumps its version, so copies derived from it (f16 weights) are remade. */
function writeParameter(p: Tensor, data: Float32Array): void {
  runtime().upload(p.buffer, data);
  p.version++;
}
