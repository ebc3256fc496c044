// forward()'s argument: HF's keyword arguments in one object, camelCase (`{ inputIds, attentionMask, labels,
// outputHiddenStates: true }`), checked before any GPU work: an unknown key is an error naming it and listing the
// accepted ones (a misspelt flag must not be silently ignored), and HF flags we cannot honour say why.
import type { IntMatrixInput, LabelsInput } from './inputs.js';

/** HF's forward flags we honour, plus ours. */
export interface ForwardFlags {
  /** Also return every hidden state [B, T, dim] (always computed padded). HF output_hidden_states. */
  outputHiddenStates?: boolean;
  /** HF output_attentions: only false (the attention probabilities are not returned). */
  outputAttentions?: boolean;
  /** HF return_dict: only true (the output is always { logits, loss?, hiddenStates? }). */
  returnDict?: boolean;
  /**
   * Default true: a forward on host ids and mask (the Trainer's, the pipeline's) runs on the real tokens only and
   * finishes the last layer on the [CLS] rows (packing.ts): the same logits, loss and gradients from less work (in
   * training, dropout draws its mask over the packed tensors instead). false: always the padded forward.
   */
  skipPadding?: boolean;
}

/** A base model's inputs (BertModel.forward). */
export interface ModelInputs extends ForwardFlags {
  /** int32 [B, T] token ids. */
  inputIds: IntMatrixInput;
  /** int32 [B, T], 1 = token, 0 = padding; all ones when omitted. */
  attentionMask?: IntMatrixInput;
  /** int32 [B, T] segment ids (0 = first text, 1 = second), for the families that have them; all 0 when omitted. */
  tokenTypeIds?: IntMatrixInput;
}

/** A sequence classifier's inputs: a base model's, plus the labels. */
export interface ClassifierInputs extends ModelInputs {
  /** [B] class ids (int32), or float targets when num_labels = 1 (regression). */
  labels?: LabelsInput;
}

/** What a model's forward() accepts beyond inputIds and attentionMask, and its names for messages. */
export interface ForwardArgsSpec {
  /** The model's class ("BertForSequenceClassification") and its family ("BERT"). */
  className: string;
  family: string;
  /** The family has token type embeddings. */
  tokenTypes: boolean;
  /** The model has a head that takes labels; else the classifier class to name instead. */
  labels: true | { classifier: string };
}

/** DistilBertForSequenceClassification's: no token types, labels. */
export const DISTILBERT_FORWARD: ForwardArgsSpec = {
  className: 'DistilBertForSequenceClassification',
  family: 'DistilBERT',
  tokenTypes: false,
  labels: true,
};

const FLAG_KEYS = ['outputHiddenStates', 'outputAttentions', 'returnDict', 'skipPadding'] as const;
/** HF forward arguments that we do not take, and why. */
const UNSUPPORTED: Record<string, string> = {
  headMask: 'head masks are not supported',
  inputsEmbeds: 'give inputIds (embeddings as input are not supported)',
  positionIds: 'position ids are derived from inputIds as HF does by default; giving them is not supported',
};

/** forward(inputs, options?) → the data and the flags, both forms merged (the second argument is the older form). */
export function parseForwardArgs(
  inputs: unknown,
  options: unknown,
  spec: ForwardArgsSpec = DISTILBERT_FORWARD,
): { data: ClassifierInputs; flags: ForwardFlags } {
  const dataKeys = [
    'inputIds',
    'attentionMask',
    ...(spec.tokenTypes ? ['tokenTypeIds'] : []),
    ...(spec.labels === true ? ['labels'] : []),
  ];
  if (!isPlainObject(inputs)) {
    throw new Error(
      `forward(inputs): expected an object { ${[...dataKeys, ...FLAG_KEYS].join(', ')} }, got ${describe(inputs)}`,
    );
  }
  checkKeys(inputs, [...dataKeys, ...FLAG_KEYS], 'forward(inputs)', refusals(spec));
  if (inputs.inputIds === undefined || inputs.inputIds === null) {
    throw new Error('forward(inputs): inputIds is required (int32 [batch, seq_len] token ids)');
  }
  const flags: ForwardFlags = {};
  readFlags(inputs, flags, 'forward(inputs)');
  if (options !== undefined) {
    if (!isPlainObject(options))
      throw new Error(`forward(inputs, options): options must be an object, got ${describe(options)}`);
    checkKeys(options, [...FLAG_KEYS], 'forward(inputs, options)');
    readFlags(options, flags, 'forward(inputs, options)');
  }
  if (flags.outputAttentions) {
    throw new Error(
      'forward(): outputAttentions is not supported (the attention kernels do not return their probabilities)',
    );
  }
  if (flags.returnDict === false) {
    throw new Error(
      'forward(): returnDict: false is not supported (the output is always { logits, loss?, hiddenStates? })',
    );
  }
  return { data: inputs as unknown as ClassifierInputs, flags };
}

/** The keys this model refuses though other models take them, and why. */
function refusals(spec: ForwardArgsSpec): Record<string, string> {
  const out: Record<string, string> = { ...UNSUPPORTED };
  if (!spec.tokenTypes) {
    out.tokenTypeIds = `${spec.family} has no token type embeddings (its tokenizer gives no token_type_ids): leave them out`;
  }
  if (spec.labels !== true) {
    out.labels = `${spec.className} has no head and computes no loss: use ${spec.labels.classifier} for labels`;
  }
  return out;
}

function checkKeys(
  obj: Record<string, unknown>,
  accepted: readonly string[],
  where: string,
  refused: Record<string, string> = UNSUPPORTED,
): void {
  const unknown = Object.keys(obj).filter((k) => !accepted.includes(k));
  if (unknown.length === 0) return;
  const why = unknown.map((k) => {
    const camel = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (refused[camel]) return `"${k}": ${refused[camel]}`;
    return camel !== k && accepted.includes(camel) ? `"${k}" (did you mean "${camel}"?)` : `"${k}"`;
  });
  throw new Error(
    `${where}: unknown key${unknown.length > 1 ? 's' : ''} ${why.join(', ')}; accepted: ${accepted.join(', ')}`,
  );
}

/** Copies the boolean flags of `obj` into `flags`; one flag given in both places must agree. */
function readFlags(obj: Record<string, unknown>, flags: ForwardFlags, where: string): void {
  for (const key of FLAG_KEYS) {
    const v = obj[key];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw new Error(`${where}: ${key} must be true or false, got ${describe(v)}`);
    if (flags[key] !== undefined && flags[key] !== v)
      throw new Error(`forward(): ${key} is given twice, as ${flags[key]} and ${v}`);
    flags[key] = v;
  }
}

/** An object literal (not an array, a Tensor or another class instance). */
function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return `an array of ${x.length}`;
  return typeof x === 'object' ? (x.constructor?.name ?? 'object') : `${typeof x} ${JSON.stringify(x)}`;
}
