import { describe, expect, it } from 'vitest';

import {
  bestModelRule,
  defaultGreaterIsBetter,
  earlyStoppingCheck,
  isImprovement,
  metricKey,
  metricValue,
} from '../../src/core/metrics/best-model';

describe('metric_for_best_model and early stopping, with transformers rules', () => {
  it('defaults to eval_loss, lower is better; other metrics are greater-is-better unless told', () => {
    expect(bestModelRule()).toEqual({ key: 'eval_loss', greaterIsBetter: false });
    expect(bestModelRule('accuracy')).toEqual({ key: 'eval_accuracy', greaterIsBetter: true });
    expect(bestModelRule('eval_f1')).toEqual({ key: 'eval_f1', greaterIsBetter: true });
    expect(bestModelRule('eval_f1', false)).toEqual({ key: 'eval_f1', greaterIsBetter: false });
    expect(defaultGreaterIsBetter('my_loss')).toBe(false);
    expect(metricKey('loss')).toBe('eval_loss');
    expect(() => metricValue({ eval_loss: 1 }, bestModelRule('f1'))).toThrow(
      'metric_for_best_model "eval_f1" is not among the evaluation metrics (eval_loss)',
    );
  });

  it('counts patience like EarlyStoppingCallback: strictly better by more than the threshold resets it', () => {
    const rule = bestModelRule('accuracy');
    const values = [0.5, 0.6, 0.605, 0.6, 0.7, 0.69, 0.7];
    let best: number | undefined;
    let state = { patienceCounter: 0 };
    const trace: [number, boolean][] = [];
    for (const v of values) {
      const r = earlyStoppingCheck(state, v, best, rule, 2, 0.01);
      state = r.state;
      trace.push([state.patienceCounter, r.shouldStop]);
      if (isImprovement(v, best, rule)) best = v;
    }
    expect(trace).toEqual([
      [0, false], // first evaluation
      [0, false], // +0.1
      [1, false], // better but only by 0.005 ≤ threshold (best still moves to 0.605)
      [2, true], // worse: patience 2 reached
      [0, false],
      [1, false],
      [2, true], // equal is not better
    ]);
    const loss = bestModelRule();
    expect(isImprovement(0.3, 0.4, loss)).toBe(true);
    expect(isImprovement(0.4, 0.4, loss)).toBe(false);
  });
});
