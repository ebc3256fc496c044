// dist/predict.js: classify texts from flags, files or stdin with a saved model; one JSON line per input.
import { readFileSync, statSync } from 'node:fs';
import {
  decodeUtf8,
  pipeline,
  quietDawnNotices,
  shutdown,
  type LabelScore,
  type TextClassificationPipeline,
} from '../index.js';
import { parsePredictArgs, textsFromFile, USAGE, UsageError, type PredictArgs } from './predict_args.js';

/** Texts per classify() call: results are printed as each chunk finishes, so long inputs stream. */
const CHUNK = 64;

/** A text and where it came from ("--text 2", "reviews.txt:14", "stdin:3"), for messages. */
interface Input {
  text: string;
  origin: string;
}

async function main(argv: string[]): Promise<number> {
  let args: PredictArgs;
  try {
    args = parsePredictArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`predict: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let classifier: TextClassificationPipeline | undefined;
  try {
    const st = statSync(args.model, { throwIfNoEntry: false });
    if (!st?.isDirectory())
      throw new Error(`--model ${args.model}: ${st ? 'is a file, not a model directory' : 'no such directory'}`);
    const inputs = gatherInputs(args);
    classifier = await pipeline('text-classification', args.model, {
      batchSize: args.batchSize,
      maxLength: args.maxLength,
      truncation: args.truncation,
      dtype: args.dtype,
      onWarning: (m) => process.stderr.write(`predict: warning: ${m}\n`),
    });
    // Non-finite weights make every score meaningless even where it prints as a number (ReLU turns NaN into 0).
    const bad = classifier.model.nonFiniteWeights;
    if (bad.length > 0)
      throw new Error(
        `--model ${args.model}: ${bad.length} weight tensor(s) hold NaN or ±Inf (${bad.map((b) => b.name).join(', ')}): refusing to score with it`,
      );
    for (let start = 0; start < inputs.length; start += CHUNK) {
      const chunk = inputs.slice(start, start + CHUNK);
      const results = await classifier.classify(
        chunk.map((x) => x.text),
        { topK: args.topK },
      );
      const bad = results.findIndex((r) => r.some((s) => !Number.isFinite(s.score)));
      process.stdout.write(
        results
          .slice(0, bad < 0 ? undefined : bad)
          .map((r) => `${JSON.stringify(r)}\n`)
          .join(''),
      );
      if (bad >= 0) throw new Error(nonFiniteMessage(chunk[bad]!, results[bad]!));
    }
    return 0;
  } catch (err) {
    process.stderr.write(`predict: error: ${(err as Error).message}\n`);
    return 1;
  } finally {
    classifier?.dispose();
    shutdown();
  }
}

function nonFiniteMessage(input: Input, scores: LabelScore[]): string {
  const shown = scores.map((s) => `${s.label} ${s.score}`).join(', ');
  return (
    `${input.origin}: the model's score is not a finite number (${shown}): its outputs overflowed or are NaN (a diverged ` +
    'or damaged model); no result printed for this input or the ones after it'
  );
}

function gatherInputs(args: PredictArgs): Input[] {
  const inputs = args.texts.map((text, i) => ({ text, origin: `--text ${i + 1}` }));
  const files = args.files.length === 0 && args.texts.length === 0 ? ['-'] : args.files;
  for (const file of files) {
    const stdin = file === '-';
    if (stdin && process.stdin.isTTY)
      process.stderr.write('predict: reading texts from stdin, one per line (Ctrl-D to end)\n');
    const name = stdin ? 'stdin' : file;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(stdin ? 0 : file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`${name}: cannot read (${code === 'ENOENT' ? 'file not found' : (err as Error).message})`);
    }
    textsFromFile(decodeUtf8(bytes, name), name).forEach((text, i) =>
      inputs.push({ text, origin: `${name}:${i + 1}` }),
    );
  }
  return inputs;
}

quietDawnNotices();
// A reader that stops early (`| head -1`) closes the pipe: that is not an error, so stop quietly with exit 0.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  shutdown();
  process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err) => {
    process.stderr.write(`predict: internal error: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  },
);
