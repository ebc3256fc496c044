// dist/predict.js: classify texts from flags, files or stdin with a saved model; one JSON line per input.
import { readFileSync, statSync } from 'node:fs';
import { decodeUtf8, pipeline, quietDawnNotices, shutdown, type TextClassificationPipeline } from '../index.js';
import { parsePredictArgs, textsFromFile, USAGE, UsageError, type PredictArgs } from './predict_args.js';

/** Texts per classify() call: results are printed as each chunk finishes, so long inputs stream. */
const CHUNK = 64;

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
    if (!statSync(args.model, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--model ${args.model}: no such directory`);
    const texts = gatherTexts(args);
    classifier = await pipeline('text-classification', args.model, {
      batchSize: args.batchSize,
      maxLength: args.maxLength,
      truncation: args.truncation,
      dtype: args.dtype,
      onWarning: (m) => process.stderr.write(`predict: warning: ${m}\n`),
    });
    for (let start = 0; start < texts.length; start += CHUNK) {
      const results = await classifier.classify(texts.slice(start, start + CHUNK), { topK: args.topK });
      process.stdout.write(results.map((r) => `${JSON.stringify(r)}\n`).join(''));
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

function gatherTexts(args: PredictArgs): string[] {
  const texts = [...args.texts];
  const files = args.files.length === 0 && args.texts.length === 0 ? ['-'] : args.files;
  for (const file of files) {
    const stdin = file === '-';
    if (stdin && process.stdin.isTTY) process.stderr.write('predict: reading texts from stdin, one per line (Ctrl-D to end)\n');
    const name = stdin ? 'stdin' : file;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(stdin ? 0 : file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`${name}: cannot read (${code === 'ENOENT' ? 'file not found' : (err as Error).message})`);
    }
    texts.push(...textsFromFile(decodeUtf8(bytes, name), name));
  }
  return texts;
}

quietDawnNotices();
main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err) => {
    process.stderr.write(`predict: internal error: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  },
);
