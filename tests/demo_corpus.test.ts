// The built-in demo's pieces that need no GPU: the corpus (size, balance, held-out split, lengths, no giveaway
// word, learnable), the vocab built from it, and the demo's flags, fallback paragraph and resume command.
import { describe, expect, it } from 'vitest';
import { parseFlags, UsageError } from '../src/util/args.js';
import { DEMO_CORPUS_SIZE, DEMO_SENTENCES, demoCorpus, wordCount, type DemoExample } from '../src/demo/corpus.js';
import {
  DEMO_DEFAULTS,
  demoArguments,
  demoResumeCommand,
  demoSummary,
  fallbackNotice,
  mayFallBackToDemo,
} from '../src/demo/run_demo.js';
import { buildDemoVocab } from '../src/demo/vocab.js';
import { BertTokenizer } from '../src/tokenizers/index.js';
import { buildOptions, TRAIN_FLAGS } from '../src/train/cli/flags.js';
import { SourceUnavailableError } from '../src/train/cli/sources_node.js';

const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[a-z']+/g) ?? []);

describe('demo corpus', () => {
  const { train, test } = demoCorpus();
  const all = [...train, ...test];

  it('has 500 distinct reviews, balanced, with a fixed held-out fifth', () => {
    expect(all).toHaveLength(DEMO_CORPUS_SIZE);
    expect(train).toHaveLength(400);
    expect(test).toHaveLength(100);
    expect(new Set(all.map((e) => e.text)).size).toBe(all.length);
    for (const part of [train, test]) expect(part.filter((e) => e.label === 1).length).toBe(part.length / 2);
    const trainTexts = new Set(train.map((e) => e.text));
    expect(test.some((e) => trainTexts.has(e.text))).toBe(false);
    for (const s of DEMO_SENTENCES) expect(all.some((e) => e.text === s)).toBe(false);
  });

  it('is the same on every call (seeded), and every review is 5 to 40 words', () => {
    expect(demoCorpus().test.map((e) => e.text)).toEqual(test.map((e) => e.text));
    for (const e of all) {
      expect(wordCount(e.text)).toBeGreaterThanOrEqual(5);
      expect(wordCount(e.text)).toBeLessThanOrEqual(40);
    }
    const lengths = new Set(all.map((e) => wordCount(e.text)));
    expect(lengths.size).toBeGreaterThan(15);
  });

  it('shares its vocabulary between the labels: no single word predicts the label well', () => {
    // Best rule of the form "word present → label A, absent → label B", on the training set.
    const counts = new Map<string, [number, number]>();
    for (const e of train) for (const w of words(e.text)) (counts.get(w) ?? counts.set(w, [0, 0]).get(w)!)[e.label]++;
    const half = train.length / 2;
    let best = 0;
    for (const [, [neg, pos]] of counts)
      best = Math.max(best, (pos + (half - neg)) / train.length, (neg + (half - pos)) / train.length);
    expect(best).toBeLessThan(0.65);
    // Negation and turns of opinion appear on both sides.
    for (const phrase of ['not', 'but', 'love', 'bad', 'never']) {
      for (const label of [0, 1])
        expect(
          train.some((e) => e.label === label && words(e.text).has(phrase)),
          `${phrase}/${label}`,
        ).toBe(true);
    }
  });

  it('is learnable from the training part: naive Bayes on words is far above chance on the held-out part', () => {
    expect(naiveBayesAccuracy(train, test)).toBeGreaterThan(0.8);
  });
});

function naiveBayesAccuracy(train: DemoExample[], test: DemoExample[]): number {
  const counts = [new Map<string, number>(), new Map<string, number>()];
  const totals = [0, 0];
  for (const e of train)
    for (const w of words(e.text)) (counts[e.label]!.set(w, (counts[e.label]!.get(w) ?? 0) + 1), totals[e.label]!++);
  const vocab = new Set([...counts[0]!.keys(), ...counts[1]!.keys()]).size;
  const logP = (l: 0 | 1, w: string) => Math.log(((counts[l]!.get(w) ?? 0) + 1) / (totals[l]! + vocab));
  const right = test.filter(
    (e) => ([...words(e.text)].reduce((s, w) => s + logP(1, w) - logP(0, w), 0) > 0 ? 1 : 0) === e.label,
  );
  return right.length / test.length;
}

describe('demo vocab', () => {
  const { train, test } = demoCorpus();
  const vocab = buildDemoVocab(train.map((e) => e.text));
  const tokenizer = BertTokenizer.fromVocab(vocab.join('\n') + '\n', { modelMaxLength: 64 });

  it('starts with the BERT special tokens ([PAD] = 0) and has no duplicates', () => {
    expect(vocab.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect(new Set(vocab).size).toBe(vocab.length);
    expect(vocab.length).toBeLessThan(1000);
    expect(tokenizer.padTokenId).toBe(0);
  });

  it('keeps training words whole and splits unseen words into pieces instead of [UNK]', () => {
    expect(tokenizer.tokenize('The acting is superb, not bad at all!')).toEqual([
      'the',
      'acting',
      'is',
      'superb',
      ',',
      'not',
      'bad',
      'at',
      'all',
      '!',
    ]);
    const unseen = tokenizer.tokenize('Zorblax');
    expect(unseen[0]).toBe('z');
    expect(unseen).not.toContain('[UNK]');
    for (const e of [...train, ...test]) {
      const ids = tokenizer.encode(e.text, { truncation: true }).inputIds;
      expect(ids.length).toBeLessThanOrEqual(64);
      expect(ids).not.toContain(1); // [UNK]
    }
  });
});

describe('demo flags', () => {
  it('uses the demo recipe, and any training flag overrides it', () => {
    const a = demoArguments([])!;
    expect(a.outputDir).toBe(DEMO_DEFAULTS.outputDir);
    expect(a.learningRate).toBe(DEMO_DEFAULTS.learningRate);
    expect(a.loadBestModelAtEnd).toBe(true);
    const b = demoArguments(['--output-dir', '/tmp/x', '--num-train-epochs', '2', '--seed', '7'])!;
    expect([b.outputDir, b.numTrainEpochs, b.seed]).toEqual(['/tmp/x', 2, 7]);
    expect(demoArguments(['--help'])).toBeUndefined();
  });

  it('refuses the data and model flags, and bad values, as usage errors', () => {
    expect(() => demoArguments(['--model', 'x'])).toThrow(UsageError);
    expect(() => demoArguments(['--data=x'])).toThrow(/--data cannot be used/);
    expect(() => demoArguments(['--learning-rate', 'abc'])).toThrow(UsageError);
  });

  it('falls back only when run with no flags (or only --offline)', () => {
    expect(mayFallBackToDemo([])).toBe(true);
    expect(mayFallBackToDemo(['--offline'])).toBe(true);
    for (const argv of [
      ['--model', 'w'],
      ['--data=d'],
      ['--num-train-epochs', '1'],
      ['--offline', '--seed', '3'],
      ['stray'],
    ]) {
      expect(mayFallBackToDemo(argv), argv.join(' ')).toBe(false);
    }
  });

  it('explains in one paragraph what was looked for, where, and the flags for local files', () => {
    const run = buildOptions(parseFlags([], TRAIN_FLAGS).values).run;
    const e = new SourceUnavailableError('model', 'distilbert/distilbert-base-uncased', new Error('offline'));
    const text = fallbackNotice(e, run, { HF_HOME: '/cache/hf', HF_HUB_OFFLINE: '1' });
    expect(text).toContain('"distilbert/distilbert-base-uncased"');
    expect(text).toContain('/cache/hf/hub');
    expect(text).toContain('HF_HUB_OFFLINE');
    expect(text).toMatch(/--model \S+ --data \S+/);
    expect(text).toContain('built-in demo');
    expect(text.trim()).not.toMatch(/\n\s*\n/); // one paragraph
  });

  it('prints a resume command that keeps the flags and replaces --resume-from-checkpoint', () => {
    expect(demoResumeCommand([], 'my_demo_model/checkpoint-125')).toBe(
      'node dist/train.js --demo --resume-from-checkpoint my_demo_model/checkpoint-125',
    );
    expect(demoResumeCommand(['--seed', '3', '--resume-from-checkpoint', 'a b/c'], 'x/checkpoint-5')).toBe(
      'node dist/train.js --demo --seed 3 --resume-from-checkpoint x/checkpoint-5',
    );
  });

  it('ends with where the model went and the next commands, runnable from where the run was started', () => {
    const summary = {
      accuracy: 0.93,
      heldOut: 100,
      wall: 75,
      outDir: '/home/u/webtune/my_demo_model',
      outputArg: 'my_demo_model',
      classified: [{ text: 'Fine.', label: 'POSITIVE', score: 0.9 }],
      argv: [],
      lastCheckpoint: 'my_demo_model/checkpoint-125',
    };
    const fromRoot = demoSummary(summary, { dir: '/home/u/webtune', isCwd: true });
    expect(fromRoot).toContain('Held-out accuracy: 0.9300 on 100 reviews');
    expect(fromRoot).toContain('Model saved to /home/u/webtune/my_demo_model');
    expect(fromRoot).toContain('  node dist/predict.js --model my_demo_model --text');
    expect(fromRoot).toContain('  npm run demo -- --model my_demo_model\n');
    expect(fromRoot).toContain('  node dist/train.js --demo --resume-from-checkpoint my_demo_model/checkpoint-125');
    const elsewhere = demoSummary(
      { ...summary, outDir: '/tmp/x/my_demo_model' },
      { dir: '/home/u/webtune', isCwd: false },
    );
    expect(elsewhere).toContain('  node /home/u/webtune/dist/predict.js --model /tmp/x/my_demo_model --text');
    expect(elsewhere).toContain('  cd /home/u/webtune && npm run demo -- --model /tmp/x/my_demo_model');
    expect(elsewhere).toContain(
      '  node /home/u/webtune/dist/train.js --demo --resume-from-checkpoint my_demo_model/checkpoint-125',
    );
    expect(demoSummary({ ...summary, lastCheckpoint: undefined }, { dir: '/r', isCwd: true })).not.toContain(
      '--resume-from-checkpoint',
    );
  });
});
