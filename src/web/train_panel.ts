// The fine-tuning panel: gathers the training data (typed lines or a picked file; an eval file or a held-out
// fraction) and the settings, runs the worker's Trainer and shows how it goes: a progress bar with an ETA, the loss
// at every step and the eval accuracy after every epoch on the chart, and (hidden, for tests) the engine's memory.

import { formatDuration } from '../train/cli/progress.js';
import { parseLabeledLines } from './labeled.js';
import { drawLossChart, type AccuracyPoint, type LossPoint } from './loss_chart.js';
import { $, setStatus, type WorkerClient } from './page.js';
import type { MemorySample, NamedBytes, TrainData, TrainSettings, WorkerEvent } from './protocol.js';

/** Runs one fine-tuning of the loaded model (labels[i] names its class i); reports on the panel, never throws. */
export async function runFineTune(client: WorkerClient, labels: readonly string[]): Promise<void> {
  let data: TrainData;
  let settings: TrainSettings;
  try {
    data = await readData(labels);
    settings = readSettings();
  } catch (err) {
    return setStatus('train-status', (err as Error).message, true);
  }
  const view = new TrainView();
  setStatus('train-status', 'Preparing the data…');
  try {
    const done = await client.request<'trained'>({ type: 'train', data, settings }, (e) => view.update(e));
    view.finish(done.losses);
    const [first, last] = [done.losses[0] ?? NaN, done.losses[done.losses.length - 1] ?? NaN];
    const acc = view.accuracy.length
      ? `; eval accuracy ${percent(view.accuracy[0]!.accuracy)} → ${percent(view.accuracy[view.accuracy.length - 1]!.accuracy)}`
      : '';
    setStatus(
      'train-status',
      `Done: ${done.steps} steps in ${(done.ms / 1000).toFixed(1)} s; loss ${first.toFixed(4)} → ${last.toFixed(4)}${acc}. ` +
        'Classify again to use the fine-tuned model, or download it.',
    );
  } catch (err) {
    setStatus('train-status', `Fine-tuning failed: ${(err as Error).message}`, true);
  } finally {
    $('train-progress').hidden = true;
  }
}

/** The chart, the progress bar and the hidden JSON outputs of one run, fed by the worker's events. */
class TrainView {
  readonly losses: LossPoint[] = [];
  readonly accuracy: AccuracyPoint[] = [];
  readonly memory: MemorySample[] = [];
  private maxSteps = 2;
  private readonly svg = $('loss-chart') as unknown as SVGSVGElement;
  private readonly bar = $<HTMLProgressElement>('train-progress');

  constructor() {
    for (const id of ['loss-json', 'accuracy-json', 'memory-json', 'train-eta']) $(id).textContent = '';
    drawLossChart(this.svg, [], this.maxSteps);
    this.bar.value = 0;
    this.bar.hidden = false;
  }

  update(e: WorkerEvent): void {
    if (e.type === 'trainStart') {
      this.maxSteps = e.maxSteps;
      const evalNote = e.evalExamples ? `, evaluating on ${e.evalExamples} after each epoch` : ', no evaluation';
      setStatus('train-status', `Fine-tuning on ${e.trainExamples} examples${evalNote}: ${e.maxSteps} steps…`);
    } else if (e.type === 'trainStep') {
      this.memory.push(e.memory);
      this.bar.value = e.step / e.maxSteps;
      const perStep = e.trainMs / e.step;
      const last = this.losses[this.losses.length - 1];
      $('train-eta').textContent =
        `step ${e.step}/${e.maxSteps} · epoch ${e.epoch.toFixed(2)}${last ? ` · loss ${last.loss.toFixed(4)}` : ''} · ` +
        `${(1000 / perStep).toFixed(1)} steps/s · ETA ${formatDuration(((e.maxSteps - e.step) * perStep) / 1000)}`;
      return; // the chart changes with the next log
    } else if (e.type === 'trainLog') {
      this.losses.push({ step: e.step, loss: e.loss });
    } else if (e.type === 'trainEval') {
      this.accuracy.push({ step: e.step, accuracy: e.accuracy });
    } else return;
    drawLossChart(this.svg, this.losses, this.maxSteps, this.accuracy);
  }

  finish(losses: number[]): void {
    $('loss-json').textContent = JSON.stringify(losses);
    $('accuracy-json').textContent = JSON.stringify(this.accuracy);
    $('memory-json').textContent = JSON.stringify(this.memory);
  }
}

/** A picked file wins over the typed lines; an eval file wins over the held-out fraction. */
async function readData(labels: readonly string[]): Promise<TrainData> {
  const trainFile = $<HTMLInputElement>('train-file').files?.[0];
  const evalFile = $<HTMLInputElement>('eval-file').files?.[0];
  const fraction = Number($<HTMLInputElement>('eval-fraction').value);
  if (!(fraction >= 0 && fraction < 1))
    throw new Error('hold out: give a fraction in [0, 1), such as 0.1 (0: no evaluation)');
  const train: TrainData['train'] = trainFile
    ? { kind: 'file', file: await namedBytes(trainFile) }
    : { kind: 'examples', examples: parseLabeledLines($<HTMLTextAreaElement>('train-data').value, labels) };
  return { train, evalFile: evalFile && (await namedBytes(evalFile)), evalFraction: evalFile ? 0 : fraction };
}

async function namedBytes(file: File): Promise<NamedBytes> {
  return { name: file.name, bytes: await file.arrayBuffer() };
}

function readSettings(): TrainSettings {
  const num = (id: string, what: string, integer: boolean): number => {
    const v = Number($<HTMLInputElement>(id).value);
    if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v)))
      throw new Error(`${what} must be a positive ${integer ? 'integer' : 'number'}`);
    return v;
  };
  return {
    epochs: num('epochs', 'epochs', true),
    learningRate: num('lr', 'learning rate', false),
    batchSize: num('train-batch', 'batch size', true),
    seed: 42,
  };
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
