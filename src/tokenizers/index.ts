// Public surface of the tokenizer package.
export { AutoTokenizer } from './auto_tokenizer.js';
export type { AutoTokenizerOptions } from './auto_tokenizer.js';
export { BertTokenizer } from './bert_tokenizer.js';
export type { LoadOptions as TokenizerLoadOptions, VocabOptions } from './bert_tokenizer.js';
export { RobertaTokenizer } from './roberta_tokenizer.js';
export { TemplateTokenizer } from './template_tokenizer.js';
export type {
  BatchEncodeOptions,
  DecodeOptions,
  EncodeOptions,
  Encoding,
  ModelInputName,
  Tokenizer,
  TruncationStrategy,
} from './tokenizer.js';
export { MODEL_TYPE_TOKENIZERS, TOKENIZER_CLASSES } from './tokenizer_classes.js';
export type { TokenizerFamily } from './tokenizer_classes.js';
export { AddedTokenSplitter } from './added_tokens.js';
export type { AddedToken } from './added_tokens.js';
export { basicSplit } from './basic.js';
export type { BasicOptions, Flavour } from './basic.js';
export { BpeModel } from './bpe.js';
export type { BpeOptions } from './bpe.js';
export { parseBpeTokenizerJson, parseMergesTxt, parseVocabJson } from './bpe_files.js';
export { BYTE_TO_CHAR, byteLevelDecode, GPT2_PATTERN, splitGpt2 } from './byte_level.js';
export { cleanUpTokenization, decodePython, decodeRust } from './decode.js';
export { Encoder } from './encoder.js';
export { bertTemplates, robertaTemplates, truncateContents } from './post_process.js';
export type { TemplatePiece, Templates } from './post_process.js';
export { OrderedObject, prettyJson, tokenizerFiles } from './save.js';
export type { JsonValue, SaveState } from './save.js';
export { parseTokenizerJson } from './tokenizer_json.js';
export type { TokenizerJsonSpec } from './tokenizer_json.js';
export type { AddedTokenSpec } from './tokenizer_json_parts.js';
export { charFlags, DELETE, DELETE_RUST, isCjk, lowerPerChar, PUNCT, SEP, stripAccents, WHITE } from './unicode.js';
export type { CjkRanges } from './unicode.js';
export {
  DEFAULT_SPECIAL_TOKENS,
  parseTokenizerConfig,
  parseVocabTxt,
  ROBERTA_SPECIAL_TOKENS,
  VERY_LARGE_INTEGER,
} from './vocab.js';
export type { SpecialTokenNames, TokenizerConfig, Vocab } from './vocab.js';
export { codePointLength, WordPiece } from './wordpiece.js';
export type { WordPieceOptions } from './wordpiece.js';
