// RobertaConfig (transformers 5.18): BertConfig's fields with RoBERTa's defaults (vocab 50265, pad 1, bos 0, eos 2)
// and model_type "roberta". padding_idx = pad_token_id numbers the positions, so it must be an id here.
import type { ConfigOverrides } from '../common/config_base.js';
import { BertConfig, readBertLike, type BertConfigInit } from '../bert/config.js';

const ROBERTA_DEFAULTS: BertConfigInit = { vocab_size: 50265, pad_token_id: 1, bos_token_id: 0, eos_token_id: 2 };

export class RobertaConfig extends BertConfig {
  static override readonly model_type: string = 'roberta';

  /** init: HF constructor kwargs (snake_case) → a validated config. */
  constructor(init: BertConfigInit = {}, where = 'RobertaConfig') {
    super(withDefaults(init), where);
  }

  override get configName(): string {
    return 'RobertaConfig';
  }

  override get modelType(): string {
    return RobertaConfig.model_type;
  }

  /** obj: parsed config.json, fileName: for errors, overrides: from_pretrained kwargs → config. */
  static override fromJSON(obj: unknown, fileName: string, overrides: ConfigOverrides = {}): RobertaConfig {
    return readBertLike(
      obj,
      fileName,
      overrides,
      'RoBERTa',
      RobertaConfig.model_type,
      (init) => new RobertaConfig(init, fileName),
    );
  }

  /** BERT's checks, and a padding_idx that leaves room for the positions (they start at padding_idx + 1). */
  override validate(where: string): void {
    super.validate(where);
    const pad = this.pad_token_id;
    if (pad === null)
      throw new Error(
        `${where}: "pad_token_id" must be an id: RoBERTa numbers positions from padding_idx = pad_token_id`,
      );
    if (this.max_position_embeddings <= pad + 1) {
      throw new Error(
        `${where}: "max_position_embeddings" (${this.max_position_embeddings}) leaves no position for a token: RoBERTa's ` +
          `positions start at pad_token_id + 1 = ${pad + 1}`,
      );
    }
  }
}

/** init over RoBERTa's defaults; an explicit undefined keeps the default. */
function withDefaults(init: BertConfigInit): BertConfigInit {
  if (init === null || typeof init !== 'object' || Array.isArray(init)) return init; // assign() reports it
  const given = Object.fromEntries(Object.entries(init).filter(([, v]) => v !== undefined));
  return { ...ROBERTA_DEFAULTS, ...given };
}
