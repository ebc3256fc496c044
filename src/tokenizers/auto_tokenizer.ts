// AutoTokenizer.fromPretrained: the tokenizer a model directory asks for, as transformers' AutoTokenizer picks it:
// tokenizer_config.json's tokenizer_class, else config.json's model_type, else the files present (vocab.txt:
// WordPiece; vocab.json + merges.txt: byte-level BPE; tokenizer.json: its model.type).

import type { FileSource } from '../io/files.js';
import { openModelSource } from '../io/progress.js';
import { optionsObject } from '../util/check.js';
import { BertTokenizer, type LoadOptions } from './bert_tokenizer.js';
import { readModelType, readTokenizerConfigText } from './config_files.js';
import { RobertaTokenizer } from './roberta_tokenizer.js';
import type { Tokenizer } from './tokenizer.js';
import {
  MODEL_TYPE_TOKENIZERS,
  TOKENIZER_CLASSES,
  tokenizerClassName,
  type TokenizerFamily,
} from './tokenizer_classes.js';
import { isObject, parseJsonObject } from './vocab.js';

/** LoadOptions.use: 'vocab' means vocab.txt (WordPiece) or vocab.json + merges.txt (BPE). */
export type AutoTokenizerOptions = Omit<LoadOptions, 'modelType'>;

export class AutoTokenizer {
  private constructor() {}

  /**
   * location: a directory (Node), a base URL or Hub id (browser), or a FileSource → a BertTokenizer (bert, distilbert)
   * or a RobertaTokenizer (roberta). An unknown tokenizer_class or model_type is an error that lists the known ones.
   */
  static async fromPretrained(location: string | FileSource, options: AutoTokenizerOptions = {}): Promise<Tokenizer> {
    options = optionsObject(options, 'AutoTokenizer.fromPretrained');
    const src = rememberReads(openModelSource(location, options, 'AutoTokenizer.fromPretrained: location'));
    const configText = await readTokenizerConfigText(src);
    const config = configText === undefined ? {} : parseJsonObject(configText, src.describe('tokenizer_config.json'));
    const className = tokenizerClassName(config);
    let modelType: string | undefined;
    let family: TokenizerFamily | undefined;
    if (className !== undefined) {
      family = TOKENIZER_CLASSES[className]?.family;
      if (family === undefined)
        throw unknown(
          `${src.describe('tokenizer_config.json')}: tokenizer_class "${config.tokenizer_class as string}" is not supported`,
        );
    } else {
      modelType = await readModelType(src);
      const implied = modelType === undefined ? undefined : MODEL_TYPE_TOKENIZERS[modelType];
      if (modelType !== undefined && implied === undefined)
        throw unknown(`${src.describe('config.json')}: model_type "${modelType}" is not supported`);
      family = implied === undefined ? await familyFromFiles(src) : TOKENIZER_CLASSES[implied]!.family;
    }
    const loadOptions: LoadOptions = { use: options.use, modelType };
    return family === 'bpe'
      ? RobertaTokenizer.fromPretrained(src, loadOptions)
      : BertTokenizer.fromPretrained(src, loadOptions);
  }
}

function unknown(what: string): Error {
  const classes = Object.keys(TOKENIZER_CLASSES).join(', ');
  const types = Object.keys(MODEL_TYPE_TOKENIZERS).join(', ');
  return new Error(`${what}; known tokenizer classes: ${classes} (and their Fast names); known model types: ${types}`);
}

/** No tokenizer_class and no model_type: the files tell (tokenizer.json by its model.type). */
async function familyFromFiles(src: FileSource): Promise<TokenizerFamily> {
  if (await src.exists('tokenizer.json')) {
    const json = parseJsonObject(await src.readText('tokenizer.json'), src.describe('tokenizer.json'));
    const model = isObject(json.model) ? json.model : {};
    const type = model.type ?? (model.merges !== undefined ? 'BPE' : 'WordPiece');
    if (type === 'BPE') return 'bpe';
    if (type === 'WordPiece') return 'wordpiece';
    throw unknown(
      `${src.describe('tokenizer.json')}: model.type "${String(type)}" is not supported (WordPiece and BPE are)`,
    );
  }
  if (await src.exists('vocab.txt')) return 'wordpiece';
  if ((await src.exists('vocab.json')) && (await src.exists('merges.txt'))) return 'bpe';
  throw new Error(
    `${src.describe('')}: no tokenizer here (none of tokenizer.json, vocab.txt, vocab.json + merges.txt exists)`,
  );
}

/** A source that reads each file once: the tokenizer's loader reads again what choosing it has read. */
function rememberReads(src: FileSource): FileSource {
  const texts = new Map<string, Promise<string>>();
  const exists = new Map<string, Promise<boolean>>();
  return {
    describe: (file) => src.describe(file),
    exists: (file) => exists.get(file) ?? exists.set(file, src.exists(file)).get(file)!,
    readBytes: (file) => src.readBytes(file),
    readText: (file) => texts.get(file) ?? texts.set(file, src.readText(file)).get(file)!,
  };
}
