// Defaults that decide what transformers writes to config.json. `save_pretrained` writes `to_diff_dict()`: every
// model-specific key, plus each generic PretrainedConfig key whose value differs from a bare `PretrainedConfig()`.
// This table is that bare config's values (transformers 4.57.6) for the generic keys a loaded config.json may carry
// (an older or newer transformers may have written them); every family's config drops extra keys at these values.

export const PRETRAINED_CONFIG_DEFAULTS: Readonly<Record<string, unknown>> = {
  return_dict: true,
  output_hidden_states: false,
  output_attentions: false,
  torchscript: false,
  dtype: null,
  pruned_heads: {},
  tie_word_embeddings: true,
  chunk_size_feed_forward: 0,
  is_encoder_decoder: false,
  is_decoder: false,
  cross_attention_hidden_size: null,
  add_cross_attention: false,
  tie_encoder_decoder: false,
  architectures: null,
  finetuning_task: null,
  id2label: { 0: 'LABEL_0', 1: 'LABEL_1' },
  label2id: { LABEL_0: 0, LABEL_1: 1 },
  tokenizer_class: null,
  prefix: null,
  bos_token_id: null,
  pad_token_id: null,
  eos_token_id: null,
  sep_token_id: null,
  decoder_start_token_id: null,
  task_specific_params: null,
  problem_type: null,
  // Generation parameters still live on PretrainedConfig (kept for loading old configs).
  max_length: 20,
  min_length: 0,
  do_sample: false,
  early_stopping: false,
  num_beams: 1,
  num_beam_groups: 1,
  diversity_penalty: 0.0,
  temperature: 1.0,
  top_k: 50,
  top_p: 1.0,
  typical_p: 1.0,
  repetition_penalty: 1.0,
  length_penalty: 1.0,
  no_repeat_ngram_size: 0,
  encoder_no_repeat_ngram_size: 0,
  bad_words_ids: null,
  num_return_sequences: 1,
  output_scores: false,
  return_dict_in_generate: false,
  forced_bos_token_id: null,
  forced_eos_token_id: null,
  remove_invalid_values: false,
  exponential_decay_length_penalty: null,
  suppress_tokens: null,
  begin_suppress_tokens: null,
};

/** Keys whose numbers Python holds as floats, so they print as "0.1" / "0.0" in config.json. */
export const CONFIG_FLOAT_KEYS: ReadonlySet<string> = new Set([
  'dropout',
  'attention_dropout',
  'qa_dropout',
  'seq_classif_dropout',
  'initializer_range',
  'hidden_dropout_prob',
  'attention_probs_dropout_prob',
  'classifier_dropout',
  'layer_norm_eps',
  'diversity_penalty',
  'temperature',
  'top_p',
  'typical_p',
  'repetition_penalty',
  'length_penalty',
]);

/** Structural equality of JSON values (Python's `!=` on dicts/lists of plain values). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual((a as never)[k], (b as never)[k]));
}
