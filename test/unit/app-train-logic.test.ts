// The Train step's plain logic: size-based defaults, the form's parsing, the chart store's columns, the
// smoothing, and the overfitting warning.
import { describe, expect, it } from 'vitest';
import { defaultSettings, effectiveBatch, sizeClass, toTrainingArguments } from '../../src/ui/train/defaults';
import { parseSettings, settingsText } from '../../src/ui/train/HyperParameters';
import { latestMetricsJson, MetricStore, Smoother } from '../../src/ui/train/metric-store';
import { detectOverfitting } from '../../src/ui/train/overfitting';
import { resolveTrainingArguments } from '../../src/core/train/arguments';

describe('defaults', () => {
  it('give tiny models a higher learning rate than base-size ones, and valid trainer arguments', () => {
    expect(sizeClass(4_385_920)).toBe('tiny'); // bert-tiny
    expect(sizeClass(22_700_000)).toBe('small'); // MiniLM-L6
    expect(sizeClass(66_000_000)).toBe('base'); // DistilBERT
    const tiny = defaultSettings(4_385_920);
    const base = defaultSettings(110_000_000);
    expect(tiny.learning_rate).toBeGreaterThanOrEqual(1e-4);
    expect(tiny.learning_rate).toBeLessThanOrEqual(5e-4);
    expect(base.learning_rate).toBeLessThanOrEqual(5e-5);
    expect(effectiveBatch(base)).toBe(16);
    for (const s of [tiny, base]) {
      const args = resolveTrainingArguments(toTrainingArguments(s));
      expect(args.learning_rate).toBe(s.learning_rate);
      expect(args.early_stopping_patience).toBeUndefined();
      expect('max_length' in args).toBe(false);
    }
  });

  it('pass eval_steps only with the "steps" strategy, and load_best_model_at_end only with evaluations', () => {
    const s = defaultSettings(4e6);
    expect(s.load_best_model_at_end).toBe(false); // transformers' default
    const bySteps = resolveTrainingArguments(
      toTrainingArguments({
        ...s,
        eval_strategy: 'steps',
        eval_steps: 7,
        save_steps: 20,
        load_best_model_at_end: true,
      }),
    );
    expect([bySteps.eval_steps, bySteps.save_steps, bySteps.load_best_model_at_end]).toEqual([7, 20, true]);
    const byEpoch = toTrainingArguments({ ...s, eval_steps: 7, load_best_model_at_end: true });
    expect([byEpoch.eval_steps, byEpoch.load_best_model_at_end]).toEqual([undefined, true]);
    // Without evaluations there is no best model; transformers would refuse the combination.
    const none = resolveTrainingArguments(
      toTrainingArguments({ ...s, eval_strategy: 'no', load_best_model_at_end: true }),
    );
    expect(none.load_best_model_at_end).toBe(false);
  });

  it('parse the form, naming the field that is wrong as the trainer and the CLI do', () => {
    const text = settingsText(defaultSettings(4e6));
    expect(parseSettings(text).settings).toEqual(defaultSettings(4e6));
    expect(parseSettings({ ...text, learning_rate: '3e-4' }).settings?.learning_rate).toBe(3e-4);
    expect(parseSettings({ ...text, learning_rate: '0' }).error).toBe('learning_rate must be > 0, got 0');
    expect(parseSettings({ ...text, per_device_train_batch_size: '2.5' }).error).toBe(
      'per_device_train_batch_size takes a whole number, got "2.5"',
    );
    expect(parseSettings({ ...text, warmup_ratio: 'abc' }).error).toBe(
      'warmup_ratio takes a number, got "abc"',
    );
    expect(parseSettings({ ...text, warmup_ratio: '1.5' }).error).toBe(
      'warmup_ratio must be ≥ 0 and ≤ 1, got 1.5',
    );
    expect(parseSettings({ ...text, eval_steps: '0' }).error).toBe('eval_steps must be at least 1, got 0');
    expect(parseSettings({ ...text, load_best_model_at_end: 'maybe' }).error).toBe(
      'load_best_model_at_end takes true or false, got "maybe"',
    );
    expect(parseSettings({ ...text, target_modules: 'query value' }).error).toBe(
      'target_modules must be module names separated by commas or all-linear',
    );
    // A number without one default may stay empty: eval_steps then follows logging_steps, as transformers.
    const unset = parseSettings({ ...text, eval_steps: '', early_stopping_patience: '' }).settings;
    expect(unset?.eval_steps).toBeUndefined();
    expect(unset?.early_stopping_patience).toBeUndefined();
    expect(parseSettings({ ...text, learning_rate: '' }).error).toBe('learning_rate takes a number, got ""');
    // The best-model metric offers the task's metrics only.
    expect(parseSettings({ ...text, metric_for_best_model: 'f1' }).error).toBeUndefined();
    expect(parseSettings({ ...text, metric_for_best_model: 'f1' }, 'causal-lm').error).toBe(
      'metric_for_best_model must be one of loss; got "f1"',
    );
  });
});

describe('the chart store', () => {
  it('smooths with a debiased moving average', () => {
    const s = new Smoother(0.9);
    const values = [1, 0.5, 0.8, 0.2];
    const out = values.map((v) => s.next(v));
    // Debiased EMA written out: sum of w^(n-i)(1-w) x_i over 1 - w^n.
    const expected = values.map((_v, n) => {
      let num = 0;
      for (let i = 0; i <= n; i++) num += 0.9 ** (n - i) * 0.1 * (values[i] as number);
      return num / (1 - 0.9 ** (n + 1));
    });
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 12));
    expect(out[0]).toBe(1);
  });

  it('aligns evaluations with the training log of the same step, and adds their own point otherwise', () => {
    const store = new MetricStore();
    let notified = 0;
    store.subscribe(() => notified++);
    store.add({ step: 1, epoch: 0.5, loss: 0.7, learning_rate: 1e-4, samples_per_second: 10 });
    store.add({ step: 2, epoch: 1, loss: 0.6, learning_rate: 5e-5, samples_per_second: 12 });
    store.add({ step: 2, epoch: 1, eval_loss: 0.65, eval_accuracy: 0.5, eval_f1: 0.4 });
    store.add({ step: 3, epoch: 1.5, eval_loss: 0.66, eval_accuracy: 0.6, eval_f1: 0.5 });
    expect(store.loss[0]).toEqual([1, 2, 3]);
    expect(store.loss[1]).toEqual([0.7, 0.6, null]);
    expect(store.loss[3]).toEqual([null, 0.65, 0.66]);
    expect(store.train).toEqual([
      [1, 2],
      [1e-4, 5e-5],
      [10, 12],
    ]);
    expect(store.evals).toEqual([
      [2, 3],
      [0.5, 0.6],
      [0.4, 0.5],
    ]);
    expect(notified).toBe(4);
    expect(JSON.parse(latestMetricsJson(store.latestEval))).toEqual({
      step: 3,
      epoch: 1.5,
      eval_loss: 0.66,
      eval_accuracy: 0.6,
      eval_f1: 0.5,
    });
    store.clear();
    expect(store.loss[0]).toEqual([]);
    expect(latestMetricsJson(store.latestEval)).toBe('');
  });
});

describe('the overfitting warning', () => {
  const points = (evalLosses: number[], trainLosses: number[]) =>
    evalLosses.map((evalLoss, i) => ({ step: (i + 1) * 10, evalLoss, trainLoss: trainLosses[i] }));

  it('warns when validation loss rises while training loss falls, naming the best step', () => {
    const warning = detectOverfitting(points([0.6, 0.5, 0.55, 0.6], [0.7, 0.5, 0.4, 0.3]));
    expect(warning?.rises).toBe(2);
    expect(warning?.bestStep).toBe(20);
    expect(warning?.message).toMatch(/rose from 0\.5000 \(step 20\) to 0\.6000 \(step 40\)/);
    expect(warning?.advice.join(' ')).toMatch(/early_stopping_patience/);
  });

  it('stays quiet while both fall, when both rise, and within the tolerance', () => {
    expect(detectOverfitting(points([0.6, 0.5, 0.45], [0.7, 0.5, 0.4]))).toBeUndefined();
    expect(detectOverfitting(points([0.5, 0.6], [0.4, 0.5]))).toBeUndefined();
    expect(detectOverfitting(points([0.5, 0.505], [0.5, 0.4]))).toBeUndefined();
    expect(detectOverfitting(points([0.5], [0.5]))).toBeUndefined();
  });
});
