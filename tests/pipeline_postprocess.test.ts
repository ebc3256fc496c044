// Host-side postprocessing (no GPU): float64 softmax/sigmoid, LABEL_i fallback, sorting and topK.
import { describe, expect, it } from 'vitest';
import { defaultScoreFunction, scoreLogits, topLabels } from '../src/pipeline/postprocess.js';

describe('pipeline postprocessing', () => {
  it('softmax in float64 with the max subtracted (no overflow at ±1e4)', () => {
    const s = scoreLogits(new Float32Array([1e4, 1e4 - 1, -1e4]), 'softmax');
    expect(s[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
    expect(s[2]).toBe(0);
  });

  it('sigmoid for multi-label configs and single-logit models', () => {
    expect(defaultScoreFunction({ problem_type: 'multi_label_classification' }, 3)).toBe('sigmoid');
    expect(defaultScoreFunction({}, 1)).toBe('sigmoid');
    expect(defaultScoreFunction({ problem_type: 'single_label_classification' }, 2)).toBe('softmax');
    const s = scoreLogits([0, 2], 'sigmoid');
    expect(s[0]).toBe(0.5);
    expect(s[1]).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
  });

  it('labels from id2label, falling back to LABEL_i; sorted, stable on ties, cut to topK', () => {
    const cfg = { id2label: { 0: 'neg', 2: 'pos' } };
    const scores = Float64Array.from([0.25, 0.25, 0.5]);
    expect(topLabels(scores, cfg, null)).toEqual([
      { label: 'pos', score: 0.5 },
      { label: 'neg', score: 0.25 },
      { label: 'LABEL_1', score: 0.25 },
    ]);
    expect(topLabels(scores, cfg, 1)).toEqual([{ label: 'pos', score: 0.5 }]);
    expect(topLabels(scores, cfg, 10)).toHaveLength(3);
  });
});
