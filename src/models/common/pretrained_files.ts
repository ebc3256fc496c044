// Reading a model directory (config.json + safetensors weights) from any FileSource, and the messages
// from_pretrained (transformers 4.57.6) logs about missing, mismatched and unused weights.
import type { FileSource } from '../../io/files.js';
import {
  loadSafetensorsFromSource,
  SAFE_WEIGHTS_INDEX_NAME,
  SAFE_WEIGHTS_NAME,
  type SafetensorsTensor,
} from '../../io/safetensors.js';

export const CONFIG_NAME = 'config.json';

export interface PretrainedFiles<C> {
  config: C;
  tensors: Map<string, SafetensorsTensor>;
  /** What the user passed, as HF prints it in its messages. */
  location: string;
  /** The weights file(s), for error messages. */
  weightsName: string;
}

/** source → config.json parsed (not yet a config); `configName` names the file in errors. */
export async function readConfigFile(source: FileSource): Promise<{ json: unknown; configName: string }> {
  const configName = source.describe(CONFIG_NAME);
  if (!(await source.exists(CONFIG_NAME)))
    throw new Error(`${configName}: file not found (a model directory needs config.json)`);
  try {
    return { json: JSON.parse(await source.readText(CONFIG_NAME)), configName };
  } catch (err) {
    throw new Error(`${configName}: invalid JSON: ${(err as Error).message}`);
  }
}

/**
 * source (opened from `location`, which names it in HF's messages), parseConfig (config.json → the family's config)
 * → config and every weight tensor.
 */
export async function readPretrained<C>(
  source: FileSource,
  parseConfig: (json: unknown, configName: string) => C,
  location: string | FileSource = source,
): Promise<PretrainedFiles<C>> {
  const { json, configName } = await readConfigFile(source);
  const config = parseConfig(json, configName);
  const tensors = await loadSafetensorsFromSource(source);
  const sharded = !(await source.exists(SAFE_WEIGHTS_NAME));
  return {
    config,
    tensors,
    location: typeof location === 'string' ? location : source.describe('').replace(/\/$/, ''),
    weightsName: source.describe(sharded ? SAFE_WEIGHTS_INDEX_NAME : SAFE_WEIGHTS_NAME),
  };
}

/** What from_pretrained(output_loading_info=True) reports. */
export interface LoadingInfo {
  missingKeys: string[];
  unexpectedKeys: string[];
  mismatchedKeys: Array<{ name: string; expected: number[]; found: number[] }>;
}

const pyList = (names: readonly string[]): string => `[${names.map((n) => `'${n}'`).join(', ')}]`;
const torchSize = (shape: readonly number[]): string => `torch.Size([${shape.join(', ')}])`;
const TRAIN_HINT =
  'You should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference.';

/**
 * HF's log lines for a load: missing and mismatched keys are warnings; unused checkpoint keys are a warning only
 * when the checkpoint's architectures name this class (otherwise HF logs them at info level).
 */
export function loadingMessages(
  info: LoadingInfo,
  location: string,
  architectures: string[] | null,
  cls: string,
): { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  if (info.unexpectedKeys.length > 0) {
    const msg =
      `Some weights of the model checkpoint at ${location} were not used when initializing ${cls}: ${pyList(info.unexpectedKeys)}\n` +
      `- This IS expected if you are initializing ${cls} from the checkpoint of a model trained on another task or with another architecture ` +
      '(e.g. initializing a BertForSequenceClassification model from a BertForPreTraining model).\n' +
      `- This IS NOT expected if you are initializing ${cls} from the checkpoint of a model that you expect to be exactly identical ` +
      '(initializing a BertForSequenceClassification model from a BertForSequenceClassification model).';
    (architectures?.includes(cls) ? warnings : infos).push(msg);
  }
  if (info.missingKeys.length > 0) {
    warnings.push(
      `Some weights of ${cls} were not initialized from the model checkpoint at ${location} and are newly initialized: ` +
        `${pyList(info.missingKeys)}\n${TRAIN_HINT}`,
    );
  }
  if (info.mismatchedKeys.length > 0) {
    const lines = info.mismatchedKeys.map(
      (m) =>
        `- ${m.name}: found shape ${torchSize(m.found)} in the checkpoint and ${torchSize(m.expected)} in the model instantiated`,
    );
    warnings.push(
      `Some weights of ${cls} were not initialized from the model checkpoint at ${location} and are newly initialized because the shapes did not match:\n` +
        `${lines.join('\n')}\n${TRAIN_HINT}`,
    );
  }
  return { warnings, infos };
}
