// Command-line arguments of dist/predict.js → a checked options object, or a UsageError (exit code 2).

import { UsageError } from '../util/args.js';

export { UsageError };

export interface PredictArgs {
  model: string;
  texts: string[];
  files: string[];
  /** null: every label. */
  topK: number | null;
  batchSize?: number;
  maxLength?: number;
  truncation: boolean;
  /** fp16: Linear products read float16 weight copies (needs the adapter feature shader-f16). */
  dtype: 'fp32' | 'fp16';
  help: boolean;
}

export const USAGE = `Usage: node dist/predict.js --model DIR [--text "…"]… [--file texts.txt | texts.jsonl]… [options]

Classifies texts with a fine-tuned DistilBERT, BERT or RoBERTa (a directory with config.json, model.safetensors
and its tokenizer files). Prints one JSON line per input, in input order:
  [{"label":"POSITIVE","score":0.9991}]
With no --text and no --file, reads stdin: one text per line. Every input line gets an output line, blank
ones included (scored as the empty text). Scores are softmax probabilities; sigmoid per label for a
multi-label model (problem_type multi_label_classification); the raw output for a regression model.

Options:
  --model DIR         model directory (required)
  --text TEXT         a text to classify (repeatable)
  --file PATH         texts to classify (repeatable; "-" is stdin): .jsonl/.ndjson lines are JSON strings
                      or objects with a "text" field; any other file has one text per line
  --top-k N           labels per text, best first (default 1); "all" for every label
  --batch-size N      texts per forward pass (default 8)
  --max-length N      truncate to N tokens, special tokens included (default: the model's maximum)
  --no-truncation     refuse texts longer than the model's maximum instead of cutting them
  --dtype fp16        Linear products read float16 copies of the weights (needs shader-f16; default fp32)
  -h, --help          show this help

Exit status: 0 ok (also when the reader of stdout closes it early, as head does), 1 runtime error (bad model
directory, unreadable file, a score that is not a finite number), 2 usage error.`;

/** argv (without node and the script) → PredictArgs. */
export function parsePredictArgs(argv: readonly string[]): PredictArgs {
  const out: PredictArgs = { model: '', texts: [], files: [], topK: 1, truncation: true, dtype: 'fp32', help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-h':
      case '--help':
        out.help = true;
        break;
      case '--model':
        out.model = value();
        break;
      case '--text':
        out.texts.push(value());
        break;
      case '--file':
        out.files.push(value());
        break;
      case '--top-k': {
        const v = value();
        out.topK = v === 'all' || v === 'none' ? null : positiveInt(v, flag);
        break;
      }
      case '--batch-size':
        out.batchSize = positiveInt(value(), flag);
        break;
      case '--max-length':
        out.maxLength = positiveInt(value(), flag);
        break;
      case '--no-truncation':
        out.truncation = false;
        break;
      case '--dtype': {
        const v = value();
        if (v !== 'fp32' && v !== 'fp16')
          throw new UsageError(`--dtype must be fp32 or fp16, got ${JSON.stringify(v)}`);
        out.dtype = v;
        break;
      }
      default:
        throw new UsageError(
          arg.startsWith('-')
            ? `unknown option ${flag}`
            : `unexpected argument ${JSON.stringify(arg)} (texts go after --text)`,
        );
    }
  }
  if (!out.help && !out.model) throw new UsageError('--model DIR is required');
  if (!out.truncation && out.maxLength !== undefined)
    throw new UsageError('--max-length needs truncation; drop --no-truncation');
  return out;
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * File text → its texts, one per line, blank lines included (scored as the empty text, as HF's pipeline scores
 * ""), so output line i answers input line i. JSONL lines are a JSON string or {"text": …}; other files are one
 * text per line. Lines split on \n only (IMDb reviews contain U+0085, which must stay inside its review); a final
 * newline ends the last line rather than starting an empty one.
 */
export function textsFromFile(content: string, name: string): string[] {
  const jsonl = /\.(jsonl|ndjson)$/i.test(name);
  if (content === '') return []; // an empty file has no lines
  const lines = content.split('\n');
  if (content.endsWith('\n')) lines.pop();
  return lines.map((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!jsonl || line.trim() === '') return line;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new Error(`${name}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object' && typeof (value as { text?: unknown }).text === 'string')
      return (value as { text: string }).text;
    throw new Error(`${name}:${i + 1}: expected a JSON string or an object with a "text" string`);
  });
}
