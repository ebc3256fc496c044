// The tokenizer classes we know by transformers' names: which model each runs (WordPiece or byte-level BPE) and the
// inputs it returns (model_input_names: BERT gives token_type_ids, DistilBERT and RoBERTa do not), and the class each
// config.json model_type implies (AutoTokenizer's table).

import type { ModelInputName } from './tokenizer.js';
import { isObject } from './vocab.js';

export type TokenizerFamily = 'wordpiece' | 'bpe';

interface ClassInfo {
  family: TokenizerFamily;
  modelInputNames: readonly ModelInputName[];
}

const WITH_TYPES: readonly ModelInputName[] = ['input_ids', 'token_type_ids', 'attention_mask'];
const WITHOUT_TYPES: readonly ModelInputName[] = ['input_ids', 'attention_mask'];

/** transformers' class names (the "Fast" suffix dropped) → family and model_input_names. */
export const TOKENIZER_CLASSES: Readonly<Record<string, ClassInfo>> = {
  BertTokenizer: { family: 'wordpiece', modelInputNames: WITH_TYPES },
  DistilBertTokenizer: { family: 'wordpiece', modelInputNames: WITHOUT_TYPES },
  RobertaTokenizer: { family: 'bpe', modelInputNames: WITHOUT_TYPES },
};

/** config.json model_type → the tokenizer class AutoTokenizer picks for it. */
export const MODEL_TYPE_TOKENIZERS: Readonly<Record<string, string>> = {
  bert: 'BertTokenizer',
  distilbert: 'DistilBertTokenizer',
  roberta: 'RobertaTokenizer',
};

/** What a directory with no tokenizer_class and no model_type returns: DistilBERT's inputs (this library's default). */
export const DEFAULT_MODEL_INPUT_NAMES = WITHOUT_TYPES;

/** tokenizer_config.json's tokenizer_class ("BertTokenizerFast") → the class name without "Fast", or undefined. */
export function tokenizerClassName(config: Record<string, unknown>): string | undefined {
  const c = config.tokenizer_class;
  return typeof c === 'string' && c !== '' ? c.replace(/Fast$/, '') : undefined;
}

/**
 * The inputs encode() returns: tokenizer_config.json's model_input_names if it sets them, else the class's (from
 * tokenizer_class, else from the model_type), else DEFAULT_MODEL_INPUT_NAMES.
 */
export function resolveModelInputNames(
  config: Record<string, unknown>,
  modelType: string | undefined,
  where: string,
): ModelInputName[] {
  const listed = config.model_input_names;
  if (listed !== undefined && listed !== null) {
    const known: readonly string[] = WITH_TYPES;
    if (
      !Array.isArray(listed) ||
      !listed.every((n) => typeof n === 'string' && known.includes(n)) ||
      !listed.includes('input_ids')
    ) {
      throw new Error(
        `${where}: field "model_input_names" must list input_ids and any of token_type_ids, attention_mask; got ${JSON.stringify(listed)}`,
      );
    }
    return listed as ModelInputName[];
  }
  const className =
    tokenizerClassName(config) ?? (modelType === undefined ? undefined : MODEL_TYPE_TOKENIZERS[modelType]);
  const info = className === undefined ? undefined : TOKENIZER_CLASSES[className];
  return [...(info?.modelInputNames ?? DEFAULT_MODEL_INPUT_NAMES)];
}

/** Throws when tokenizer_config.json names a class of the other family (a RobertaTokenizer loaded as BERT, …). */
export function requireFamily(config: Record<string, unknown>, family: TokenizerFamily, where: string): void {
  const className = tokenizerClassName(config);
  const other = className === undefined ? undefined : TOKENIZER_CLASSES[className];
  if (other === undefined || other.family === family) return;
  const [what, loader] =
    other.family === 'bpe' ? ['a byte-level BPE', 'RobertaTokenizer'] : ['a WordPiece', 'BertTokenizer'];
  throw new Error(
    `${where}: tokenizer_config.json names ${className}, ${what} tokenizer: load it with ${loader} or AutoTokenizer`,
  );
}

/** config.json text → its model_type, or undefined when it has none. */
export function modelTypeOf(configJson: unknown): string | undefined {
  return isObject(configJson) && typeof configJson.model_type === 'string' ? configJson.model_type : undefined;
}
