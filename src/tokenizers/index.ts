// Public surface of the tokenizer package.
export { BertTokenizer } from './bert_tokenizer.js';
export type { DecodeOptions, EncodeOptions, Encoding, LoadOptions as TokenizerLoadOptions, VocabOptions } from './bert_tokenizer.js';
export { basicSplit } from './basic.js';
export type { BasicOptions, Flavour } from './basic.js';
export { cleanUpTokenization, decodePython, decodeRust } from './decode.js';
export { Encoder } from './encoder.js';
export type { AddedToken } from './encoder.js';
export { OrderedObject, prettyJson, tokenizerFiles } from './save.js';
export type { JsonValue, SaveState } from './save.js';
export { parseTokenizerJson } from './tokenizer_json.js';
export type { AddedTokenSpec, TokenizerJsonSpec } from './tokenizer_json.js';
export { charFlags, DELETE, DELETE_RUST, isCjk, lowerPerChar, PUNCT, SEP, stripAccents, WHITE } from './unicode.js';
export type { CjkRanges } from './unicode.js';
export {
  DEFAULT_SPECIAL_TOKENS,
  parseTokenizerConfig,
  parseVocabTxt,
  VERY_LARGE_INTEGER,
} from './vocab.js';
export type { SpecialTokenNames, TokenizerConfig, Vocab } from './vocab.js';
export { codePointLength, WordPiece } from './wordpiece.js';
export type { WordPieceOptions } from './wordpiece.js';
