// The tokenizer.json that transformers' BertConverter (convert_slow_tokenizer.py) builds from a slow BERT
// tokenizer (vocab.txt + tokenizer_config.json), i.e. what AutoTokenizer's fast tokenizer writes when it
// was loaded from vocab.txt. Returned as a parsed object in the tokenizers library's field order; save.ts
// serialises it exactly as it serialises a loaded tokenizer.json.

export interface SlowTokenizerSettings {
  /** Every id's token, in id order. */
  vocabTokens: readonly string[];
  unkToken: string;
  clsToken: string;
  sepToken: string;
  doLowerCase: boolean;
  stripAccents: boolean | null;
  tokenizeChineseChars: boolean;
}

/**
 * settings → tokenizer.json contents (without added_tokens, which save.ts writes from the tokenizer's list),
 * or undefined when the vocab repeats a line: transformers' vocab dict then keeps the later id, and the
 * earlier id would be a hole that neither our loader nor an embedding matrix can represent.
 */
export function convertedTokenizerJson(s: SlowTokenizerSettings): Record<string, unknown> | undefined {
  if (new Set(s.vocabTokens).size !== s.vocabTokens.length) return undefined;
  const id = (token: string): number => s.vocabTokens.indexOf(token);
  const special = (token: string, typeId: number) => ({ SpecialToken: { id: token, type_id: typeId } });
  const sequence = (name: string, typeId: number) => ({ Sequence: { id: name, type_id: typeId } });
  const specials = [s.clsToken, s.sepToken].sort();
  return {
    version: '1.0',
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: s.tokenizeChineseChars,
      strip_accents: s.stripAccents,
      lowercase: s.doLowerCase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    // f"{cls}:0 $A:0 {sep}:0" and f"{cls}:0 $A:0 {sep}:0 $B:1 {sep}:1"; special_tokens serialise sorted by name.
    post_processor: {
      type: 'TemplateProcessing',
      single: [special(s.clsToken, 0), sequence('A', 0), special(s.sepToken, 0)],
      pair: [
        special(s.clsToken, 0),
        sequence('A', 0),
        special(s.sepToken, 0),
        sequence('B', 1),
        special(s.sepToken, 1),
      ],
      special_tokens: Object.fromEntries(specials.map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: s.unkToken, continuing_subword_prefix: '##', max_input_chars_per_word: 100 },
  };
}
