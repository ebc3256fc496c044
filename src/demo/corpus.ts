// The built-in demo's labeled corpus: 500 short movie reviews (250 positive, 250 negative), composed
// deterministically from the hand-written phrase banks in phrases.ts with a seeded PRNG, and a fixed
// held-out fifth (every fifth review of each label) that training never sees.
// Labels follow the tutorial: 0 = NEGATIVE, 1 = POSITIVE.

import { mulberry32, shuffledIndices } from '../data/shuffle.js';
import { ASIDES, ASPECTS, ASPECT_TAKES, CLOSERS, REMARKS, SUBJECTS, TURNS, VERDICTS } from './phrases.js';

export interface DemoExample {
  text: string;
  /** 0 = NEGATIVE, 1 = POSITIVE. */
  label: 0 | 1;
}

export interface DemoCorpus {
  train: DemoExample[];
  /** Held out from training: the demo's accuracy is measured here. */
  test: DemoExample[];
}

export const DEMO_ID2LABEL: Record<number, string> = { 0: 'NEGATIVE', 1: 'POSITIVE' };
export const DEMO_CORPUS_SIZE = 500;
export const DEMO_CORPUS_SEED = 20240607;
const MIN_WORDS = 5;
const MAX_WORDS = 40;

type Label = 0 | 1;
type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const cap = (s: string): string => s[0]!.toUpperCase() + s.slice(1);
const flip = (l: Label): Label => (l === 1 ? 0 : 1);

// One review of label `l`: each template is a natural shape a short review takes.
const TEMPLATES: Array<(r: Rng, l: Label) => string> = [
  // "This movie left me cold."
  (r, l) => `${cap(pick(r, SUBJECTS))} ${pick(r, VERDICTS[l])}.`,
  // "Not bad at all. Go see it."
  (r, l) => `${pick(r, REMARKS[l])} ${pick(r, CLOSERS[l])}`,
  // "The sequel is a small gem. Go see it."
  (r, l) => `${cap(pick(r, SUBJECTS))} ${pick(r, VERDICTS[l])}. ${pick(r, CLOSERS[l])}`,
  // "The acting is superb, and the film builds to a genuinely thrilling finale."
  (r, l) => `${cap(pick(r, ASPECTS))} ${pick(r, ASPECT_TAKES[l])}, and ${pick(r, SUBJECTS)} ${pick(r, VERDICTS[l])}.`,
  // "I wanted to love it, but the remake feels stale and tired."
  (r, l) => `${pick(r, TURNS[l])} ${pick(r, SUBJECTS)} ${pick(r, VERDICTS[l])}.`,
  // "I watched it on a long flight. This thriller left me cold. Skip it."
  (r, l) => `${pick(r, ASIDES)} ${cap(pick(r, SUBJECTS))} ${pick(r, VERDICTS[l])}. ${pick(r, CLOSERS[l])}`,
  // "Not bad at all. The score is a real highlight."
  (r, l) => `${pick(r, REMARKS[l])} ${cap(pick(r, ASPECTS))} ${pick(r, ASPECT_TAKES[l])}.`,
  // Mixed: one aspect of the other label, overruled by the verdict. "The ending is weak, but the film is a joy to watch."
  (r, l) =>
    `${cap(pick(r, ASPECTS))} ${pick(r, ASPECT_TAKES[flip(l)])}, but ${pick(r, SUBJECTS)} ${pick(r, VERDICTS[l])}.`,
  // "The pacing could not be worse. The plot is a mess. I hated every minute."
  (r, l) => {
    const [a, b] = twoDistinct(r, ASPECTS);
    return `${cap(a)} ${pick(r, ASPECT_TAKES[l])}. ${cap(b)} ${pick(r, ASPECT_TAKES[l])}. ${pick(r, REMARKS[l])}`;
  },
  // "I knew nothing about it going in. I did not expect to enjoy it this much."
  (r, l) => `${pick(r, ASIDES)} ${pick(r, REMARKS[l])}`,
  // "Honestly, this romance is not good at all, even if the costume design is excellent. Wait until it is free."
  (r, l) =>
    `${pick(r, ['Honestly,', 'In short,', 'All in all,', 'Overall,', 'For me,'])} ${pick(r, SUBJECTS)} ${pick(r, VERDICTS[l])}, ` +
    `even if ${pick(r, ASPECTS)} ${pick(r, ASPECT_TAKES[flip(l)])}. ${pick(r, CLOSERS[l])}`,
  // "The reviews were mixed, but the musical is a joy to watch. The humor is spot on. I would watch it again tomorrow."
  (r, l) =>
    `${pick(r, TURNS[l])} ${pick(r, SUBJECTS)} ${pick(r, VERDICTS[l])}. ${cap(pick(r, ASPECTS))} ${pick(r, ASPECT_TAKES[l])}. ` +
    pick(r, CLOSERS[l]),
];

function twoDistinct(r: Rng, xs: readonly string[]): [string, string] {
  const a = pick(r, xs);
  let b = pick(r, xs);
  while (b === a) b = pick(r, xs);
  return [a, b];
}

export const wordCount = (text: string): number => text.split(/\s+/).filter(Boolean).length;

let cached: DemoCorpus | undefined;

/** The demo corpus: the same 400 training and 100 held-out reviews on every call and every machine. */
export function demoCorpus(): DemoCorpus {
  if (cached) return cached;
  const r = mulberry32(DEMO_CORPUS_SEED);
  const seen = new Set<string>();
  const byLabel: Record<Label, string[]> = { 0: [], 1: [] };
  const perLabel = DEMO_CORPUS_SIZE / 2;
  for (let attempts = 0; byLabel[0].length < perLabel || byLabel[1].length < perLabel; attempts++) {
    if (attempts > 100 * DEMO_CORPUS_SIZE)
      throw new Error('demo corpus: phrase banks too small for the requested size');
    const l: Label =
      byLabel[0].length < byLabel[1].length ? 0 : byLabel[1].length < byLabel[0].length ? 1 : r() < 0.5 ? 0 : 1;
    const text = pick(r, TEMPLATES)(r, l);
    const n = wordCount(text);
    if (n < MIN_WORDS || n > MAX_WORDS || seen.has(text)) continue;
    seen.add(text);
    byLabel[l].push(text);
  }
  // Every fifth review of each label is held out (so both parts are balanced), then each part is shuffled.
  const train: DemoExample[] = [];
  const test: DemoExample[] = [];
  for (let i = 0; i < perLabel; i++) {
    for (const label of [0, 1] as const) (i % 5 === 4 ? test : train).push({ text: byLabel[label][i]!, label });
  }
  const shuffle = (xs: DemoExample[], seed: number) => [...shuffledIndices(xs.length, seed)].map((i) => xs[i]!);
  cached = { train: shuffle(train, DEMO_CORPUS_SEED + 1), test: shuffle(test, DEMO_CORPUS_SEED + 2) };
  return cached;
}

/** Sentences the demo classifies at the end (not in the corpus). */
export const DEMO_SENTENCES = [
  'I expected to hate it, but the acting is superb and it never feels long.',
  'The trailer looked great, but the story is a mess and I kept looking at my watch.',
  'Not bad at all. Highly recommended.',
  'What a waste of an evening.',
];
