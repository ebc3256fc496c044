// `node dist/export.js --model DIR`: writes DIR/onnx/model.onnx (and DIR/tokenizer.json when missing), the
// layout transformers.js and onnxruntime load. Needs no GPU. Exit codes: 0 done, 1 error, 2 usage error.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exportOnnxToDirectory, OnnxExistsError } from '../export/export_node.js';
import { formatHelp, parseFlags, UsageError, type FlagSpec } from '../util/args.js';

const FLAGS: FlagSpec[] = [
  {
    name: 'model',
    type: 'string',
    group: 'Flags',
    metavar: 'DIR',
    help: 'The model directory to export (config.json, model.safetensors, tokenizer files); required',
  },
  {
    name: 'overwrite',
    type: 'bool',
    group: 'Flags',
    shownDefault: 'false',
    help: 'Replace an existing DIR/onnx/model.onnx',
  },
  { name: 'help', type: 'bool', group: 'Flags', help: 'Show this help' },
];

const HEADER = `Usage: node dist/export.js --model DIR [--overwrite]

Exports a fine-tuned classifier (DistilBERT, BERT or RoBERTa: config.json's model_type) to ONNX, into the model
directory, as Hugging Face's exporters lay it out: DIR/onnx/model.onnx (fp32, opset 17; inputs input_ids and
attention_mask, and token_type_ids for BERT, int64 [batch_size, sequence_length]; output logits [batch_size,
num_labels]), and DIR/tokenizer.json when the directory has only vocab.txt.
An existing model.onnx is kept unless --overwrite is given. No GPU is needed.`;

const FOOTER = `Then, in Node or a browser with @huggingface/transformers:
  const classify = await pipeline('text-classification', '/absolute/path/to/DIR');
or with onnxruntime: InferenceSession.create('DIR/onnx/model.onnx').

Exit codes: 0 done, 1 error (unreadable model directory, model.onnx exists), 2 usage error.`;

const io = { stdout: (t: string) => void process.stdout.write(t), stderr: (t: string) => void process.stderr.write(t) };

/** argv (without node and the script) → exit code. */
async function main(argv: readonly string[]): Promise<number> {
  let model: string;
  let overwrite: boolean;
  try {
    const { values, positionals } = parseFlags(argv, FLAGS);
    if (values.get('help')) {
      io.stdout(formatHelp(HEADER, FLAGS, FOOTER));
      return 0;
    }
    if (positionals.length)
      throw new UsageError(`unexpected argument "${positionals[0]}" (the model directory is given as --model DIR)`);
    model = values.get('model') as string;
    if (model === undefined) throw new UsageError('--model DIR is required');
    overwrite = (values.get('overwrite') as boolean | undefined) ?? false;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`export: ${e.message}\nRun "node dist/export.js --help" for the flags.\n`);
    return 2;
  }
  try {
    const { written, onnxBytes } = await exportOnnxToDirectory(model, { overwrite });
    io.stdout(
      `Wrote ${written[0]} (${(onnxBytes / 2 ** 20).toFixed(1)} ` +
        `MiB)${written.length > 1 ? ` and ${written.slice(1).join(', ')}` : ''}\n`,
    );
    if (!existsSync(join(model, 'tokenizer.json'))) {
      io.stderr(
        `export: warning: ${model} has no tokenizer (tokenizer.json or vocab.txt); transformers.js needs ` +
          `tokenizer.json\n`,
      );
    }
    return 0;
  } catch (e) {
    const hint =
      e instanceof OnnxExistsError ? `export: ${e.path} already exists; pass --overwrite to replace it\n` : undefined;
    io.stderr(hint ?? `export: error: ${(e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
