// From content ids to an Encoding: truncation (HF's strategies, each flavour's algorithm) and the post-processor's
// template (special tokens and token_type_ids around one text or a pair). Shared by every tokenizer.

import type { Flavour } from './basic.js';
import type { EncodeOptions, Encoding, TruncationStrategy } from './tokenizer.js';

/** One piece of a template: special-token ids, or a text (0 = first, 1 = second), each with its token_type_id. */
export type TemplatePiece = { specialIds: number[]; typeId: number } | { sequence: 0 | 1; typeId: number };

/** The post-processor: what goes around one text and around a pair (tokenizers' TemplateProcessing). */
export interface Templates {
  single: TemplatePiece[];
  /** undefined: the tokenizer.json gives no pair template, so pairs are an error. */
  pair?: TemplatePiece[];
}

/** BERT's `[CLS] A [SEP]` / `[CLS] A [SEP] B [SEP]` with type ids 0…0 1…1 (BertProcessing). */
export function bertTemplates(clsId: number, sepId: number): Templates {
  return {
    single: [
      { specialIds: [clsId], typeId: 0 },
      { sequence: 0, typeId: 0 },
      { specialIds: [sepId], typeId: 0 },
    ],
    pair: [
      { specialIds: [clsId], typeId: 0 },
      { sequence: 0, typeId: 0 },
      { specialIds: [sepId], typeId: 0 },
      { sequence: 1, typeId: 1 },
      { specialIds: [sepId], typeId: 1 },
    ],
  };
}

/** RoBERTa's `<s> A </s>` / `<s> A </s></s> B </s>`, every type id 0 (RobertaProcessing). */
export function robertaTemplates(clsId: number, sepId: number): Templates {
  return {
    single: [
      { specialIds: [clsId], typeId: 0 },
      { sequence: 0, typeId: 0 },
      { specialIds: [sepId], typeId: 0 },
    ],
    pair: [
      { specialIds: [clsId], typeId: 0 },
      { sequence: 0, typeId: 0 },
      { specialIds: [sepId, sepId], typeId: 0 },
      { sequence: 1, typeId: 0 },
      { specialIds: [sepId], typeId: 0 },
    ],
  };
}

/** No post-processor: the texts alone, type ids 0 and 1 (tokenizers' default). */
export const PLAIN_TEMPLATES: Templates = {
  single: [{ sequence: 0, typeId: 0 }],
  pair: [
    { sequence: 0, typeId: 0 },
    { sequence: 1, typeId: 1 },
  ],
};

/** Number of special-token ids a template adds. */
export function specialCount(template: readonly TemplatePiece[]): number {
  let n = 0;
  for (const p of template) if ('specialIds' in p) n += p.specialIds.length;
  return n;
}

/** The settings of one tokenizer that encode() needs besides the content ids. */
export interface AssembleSettings {
  templates: Templates;
  modelMaxLength: number;
  /** Whose longest_first to copy: 'rust' (tokenizers, the fast tokenizer) or 'python' (transformers' slow one). */
  flavour: Flavour;
  /** Default of returnTokenTypeIds: modelInputNames holds token_type_ids. */
  returnTokenTypeIds: boolean;
}

/**
 * a: [n] content ids of the text, b: [m] of the pair (or undefined), options → the Encoding: truncated as asked,
 * then wrapped in the template. `a` and `b` are consumed (truncated in place).
 */
export function assembleEncoding(
  a: number[],
  b: number[] | undefined,
  options: EncodeOptions,
  s: AssembleSettings,
): Encoding {
  const addSpecial = options.addSpecialTokens ?? true;
  const template = b === undefined ? s.templates.single : s.templates.pair;
  if (template === undefined)
    throw new Error('this tokenizer has no template for pairs (its post_processor defines "single" only)');
  const { strategy, limit } = truncationOf(options, s.modelMaxLength);
  if (limit !== undefined) {
    const added = addSpecial ? specialCount(template) : 0;
    if (limit < added) throw new RangeError(`maxLength ${limit} leaves no room for the ${added} special tokens`);
    truncateContents(a, b, limit - added, strategy, s.flavour);
  }
  const inputIds: number[] = [];
  const typeIds: number[] = [];
  for (const piece of template) {
    if ('specialIds' in piece) {
      if (!addSpecial) continue;
      for (const id of piece.specialIds) {
        inputIds.push(id);
        typeIds.push(piece.typeId);
      }
    } else {
      const ids = piece.sequence === 0 ? a : b!;
      for (const id of ids) {
        inputIds.push(id);
        typeIds.push(piece.typeId);
      }
    }
  }
  const attentionMask = new Array<number>(inputIds.length).fill(1);
  return (options.returnTokenTypeIds ?? s.returnTokenTypeIds)
    ? { inputIds, tokenTypeIds: typeIds, attentionMask }
    : { inputIds, attentionMask };
}

/**
 * options → the length limit (special tokens included) encode() truncates to, or undefined. tokenizers (≥ 0.23) stops
 * tokenizing a text once it holds this many tokens (after the pre-tokenized split that reaches it): the lengths that
 * longest_first then compares are those, which decides which text of a long pair keeps the odd token.
 */
export function truncationLimit(options: EncodeOptions, modelMaxLength: number): number | undefined {
  return truncationOf(options, modelMaxLength).limit;
}

/** options → the strategy and the length limit (special tokens included), or no limit; HF's rules. */
function truncationOf(
  options: EncodeOptions,
  modelMaxLength: number,
): { strategy: TruncationStrategy; limit?: number } {
  const { truncation, maxLength } = options;
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1)) {
    throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
  }
  if (truncation === undefined) return { strategy: 'longest_first', limit: maxLength };
  if (truncation === false || truncation === 'do_not_truncate') return { strategy: 'do_not_truncate' };
  const strategy = truncation === true ? 'longest_first' : truncation;
  if (!STRATEGIES.includes(strategy)) {
    throw new RangeError(
      `truncation must be true, false or one of ${STRATEGIES.map((x) => `'${x}'`).join(', ')}, got ${JSON.stringify(truncation)}`,
    );
  }
  const limit = maxLength ?? modelMaxLength;
  return Number.isFinite(limit) ? { strategy, limit } : { strategy };
}

const STRATEGIES: readonly string[] = ['longest_first', 'only_first', 'only_second', 'do_not_truncate'];

/**
 * a: [n], b: [m] | undefined → cut in place to at most `budget` ids together (the limit less the special tokens).
 * longest_first on a pair differs between HF's two implementations when both texts are long: tokenizers gives the
 * longer text (on a tie the second) the odd token, transformers' slow tokenizers give it to the first.
 */
export function truncateContents(
  a: number[],
  b: number[] | undefined,
  budget: number,
  strategy: TruncationStrategy,
  flavour: Flavour,
): void {
  const total = a.length + (b?.length ?? 0);
  if (total <= budget || strategy === 'do_not_truncate') return;
  const excess = total - budget;
  if (strategy === 'only_first' || strategy === 'only_second') {
    const target = strategy === 'only_first' ? a : b;
    if (target === undefined) throw new Error("truncation 'only_second' needs a textPair");
    if (target.length <= excess) {
      throw new RangeError(
        `truncation '${strategy}': the ${strategy === 'only_first' ? 'first' : 'second'} text has ${target.length} tokens, ` +
          `too few to remove the ${excess} that maxLength needs; use 'longest_first'`,
      );
    }
    target.length -= excess;
    return;
  }
  if (b === undefined) {
    a.length = budget;
    return;
  }
  const [keepA, keepB] =
    flavour === 'rust' ? longestFirstRust(a.length, b.length, budget) : longestFirstPython(a.length, b.length, excess);
  a.length = keepA;
  b.length = keepB;
}

/** tokenizers' truncate_encodings (LongestFirst): lengths n1, n2, budget → kept lengths. */
function longestFirstRust(n1: number, n2: number, budget: number): [number, number] {
  const swap = n1 > n2;
  let short = Math.min(n1, n2);
  let long = short > budget ? short : Math.max(short, budget - short);
  if (short + long > budget) {
    short = Math.floor(budget / 2);
    long = short + (budget % 2);
  }
  return swap ? [Math.min(n1, long), Math.min(n2, short)] : [Math.min(n1, short), Math.min(n2, long)];
}

/** transformers' slow truncate_sequences (longest_first): lengths, ids to remove → kept lengths. */
function longestFirstPython(n1: number, n2: number, remove: number): [number, number] {
  const first = Math.min(Math.abs(n2 - n1), remove);
  const second = remove - first;
  const half = Math.floor(second / 2);
  return n1 > n2 ? [n1 - first - half, n2 - (second - half)] : [n1 - half, n2 - first - (second - half)];
}
