// Turning tokens back into text, the way each Hugging Face implementation does it. The two differ:
// transformers' slow BertTokenizer joins everything with spaces, removes " ##", then cleans up the
// whole string; tokenizers' WordPiece decoder handles one token at a time (its cleanup never sees
// " ' " across tokens, so "don ' t" stays as is). Decoding is lossy either way (case, accents, spaces).

/** The slow tokenizer: `" ".join(tokens).replace(" ##", "").strip()`, then optional clean-up. */
export function decodePython(tokens: readonly string[], cleanUpSpaces: boolean): string {
  const text = tokens.join(' ').replaceAll(' ##', '').trim();
  return cleanUpSpaces ? cleanUpTokenization(text) : text;
}

/**
 * The fast tokenizer: tokenizers' WordPiece decoder (a continuation drops its prefix, any other
 * token after the first gets a leading space, `cleanup` applied per token), then transformers'
 * optional clean-up of the joined string. `decoder` null: tokens joined with spaces.
 */
export function decodeRust(
  tokens: readonly string[],
  decoder: { prefix: string; cleanup: boolean } | null,
  cleanUpSpaces: boolean,
): string {
  let text: string;
  if (decoder === null) {
    text = tokens.join(' ');
  } else {
    const parts = tokens.map((token, i) => {
      let t = token;
      if (i !== 0) t = t.startsWith(decoder.prefix) ? t.slice(decoder.prefix.length) : ' ' + t;
      return decoder.cleanup ? cleanupRust(t) : t;
    });
    text = parts.join('');
  }
  return cleanUpSpaces ? cleanUpTokenization(text) : text;
}

/** transformers' `clean_up_tokenization`: glue punctuation and English contractions to the word before. */
export function cleanUpTokenization(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

/** tokenizers' `decoders::wordpiece::cleanup`: the same list plus " do not" → " don't". */
function cleanupRust(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(' do not', " don't")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}
