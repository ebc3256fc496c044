// The Auto classes (transformers' AutoConfig, AutoModel, AutoModelForSequenceClassification): config.json's
// model_type picks the family's class from the registry (registry.ts); an unknown type is an error listing the known
// ones. A location is opened once (progress reported once) and config.json read once for both steps.
import type { FileSource, SourceOptions } from '../io/files.js';
import { openModelSource } from '../io/progress.js';
import { optionsObject } from '../util/check.js';
import type { ConfigOverrides, PretrainedConfig } from './common/config_base.js';
import type { EncoderModel } from './common/encoder_model.js';
import type { FromPretrainedOptions } from './common/pretrained_model.js';
import { CONFIG_NAME, readConfigFile } from './common/pretrained_files.js';
import type { SequenceClassificationModel } from './common/sequence_classification.js';
import { registeredModel, registeredModelForConfig, registeredModelForJson, type RegisteredModel } from './registry.js';

export class AutoConfig {
  /** location (directory, URL, Hub id, FileSource) → its family's config (BertConfig, …), overrides applied. */
  static async fromPretrained(
    location: string | FileSource,
    options: SourceOptions & ConfigOverrides = {},
  ): Promise<PretrainedConfig> {
    options = optionsObject(options, 'AutoConfig.fromPretrained');
    const { json, configName } = await readConfigFile(
      openModelSource(location, options, 'AutoConfig.fromPretrained: location'),
    );
    return AutoConfig.fromJSON(json, configName, options);
  }

  /** config.json's parsed object → its family's config; fileName names it in errors. */
  static fromJSON(json: unknown, fileName = CONFIG_NAME, overrides: ConfigOverrides = {}): PretrainedConfig {
    const { numLabels, id2label, label2id, problemType } = overrides;
    return registeredModelForJson(json, fileName).family.configFromJSON(json, fileName, {
      numLabels,
      id2label,
      label2id,
      problemType,
    });
  }

  /** model_type ("bert"), fields → a new config of that family (HF AutoConfig.for_model). */
  static forModel(modelType: string, fields: object = {}): PretrainedConfig {
    const { family } = registeredModel(modelType, 'AutoConfig.forModel');
    return family.toConfig(fields, family.configClassName);
  }
}

export class AutoModel {
  /** location → the family's base model (DistilBertModel, BertModel, RobertaModel): hidden states, no head. */
  static fromPretrained(location: string | FileSource, options: FromPretrainedOptions = {}): Promise<EncoderModel> {
    return autoLoad('base', location, options, 'AutoModel.fromPretrained');
  }

  /** A config (any family's) → a randomly initialised base model of its family. */
  static fromConfig(config: PretrainedConfig, options: { seed?: number } = {}): EncoderModel {
    return registeredModelForConfig(config, 'AutoModel.fromConfig').base.fromConfig(config, options);
  }
}

export class AutoModelForSequenceClassification {
  /** location → the family's sequence classifier (a base checkpoint gets a newly initialised head, reported). */
  static fromPretrained(
    location: string | FileSource,
    options: FromPretrainedOptions = {},
  ): Promise<SequenceClassificationModel> {
    return autoLoad('sequenceClassification', location, options, 'AutoModelForSequenceClassification.fromPretrained');
  }

  /** A config (any family's) → a randomly initialised classifier of its family. */
  static fromConfig(config: PretrainedConfig, options: { seed?: number } = {}): SequenceClassificationModel {
    return registeredModelForConfig(
      config,
      'AutoModelForSequenceClassification.fromConfig',
    ).sequenceClassification.fromConfig(config, options);
  }
}

async function autoLoad<K extends 'base' | 'sequenceClassification'>(
  kind: K,
  location: string | FileSource,
  options: FromPretrainedOptions,
  where: string,
): Promise<K extends 'base' ? EncoderModel : SequenceClassificationModel> {
  options = optionsObject(options, where);
  const source = openModelSource(location, options, `${where}: location`);
  const { json, configName } = await readConfigFile(source);
  const cls = registeredModelForJson(json, configName)[kind] as RegisteredModel['base' | 'sequenceClassification'];
  // The source already reports progress; config.json is not read a second time.
  const { progressCallback: _reported, ...rest } = options;
  const model = await cls.fromPretrained(rememberText(source, CONFIG_NAME, JSON.stringify(json)), rest);
  return model as K extends 'base' ? EncoderModel : SequenceClassificationModel;
}

/** source, with `name`'s text already known → a source that answers that file from memory. */
export function rememberText(source: FileSource, name: string, text: string): FileSource {
  return {
    describe: (file) => source.describe(file),
    exists: (file) => (file === name ? Promise.resolve(true) : source.exists(file)),
    readBytes: (file) => (file === name ? Promise.resolve(new TextEncoder().encode(text)) : source.readBytes(file)),
    readText: (file) => (file === name ? Promise.resolve(text) : source.readText(file)),
  };
}
