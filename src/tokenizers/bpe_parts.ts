// What a RobertaTokenizer is made of, from either file layout: shared by the tokenizer (roberta_tokenizer.ts) and the
// writer of its files (bpe_save.ts), in a module of its own so neither imports the other's.
import type { AddedToken } from './added_tokens.js';
import type { BpeModelSettings } from './bpe_files.js';
import type { Templates } from './post_process.js';
import type { TokenizerConfig, Vocab } from './vocab.js';

/** Everything a RobertaTokenizer is made of, from either layout. */
export interface BpeParts {
  vocab: Vocab;
  merges: Array<[string, string]>;
  model: BpeModelSettings;
  added: AddedToken[];
  addPrefixSpace: boolean;
  trimOffsets: boolean;
  useRegex: boolean;
  templates: Templates;
  /** false: the tokenizer.json has no decoder, so decode joins tokens with spaces (tokenizers' fallback). */
  byteLevelDecoder: boolean;
  config: TokenizerConfig;
  cleanUpTokenizationSpaces: boolean;
  /** The tokenizer.json it was loaded from; undefined for vocab.json + merges.txt. */
  tokenizerJson?: Record<string, unknown>;
  where: string;
}
