// The run service (core/run/fine-tune.ts) that the worker and the CLI both drive: the arguments fitted to the
// data, and the final evaluation of the weights a run ends with, whether it reuses the run's own evaluation (only
// of exactly those weights, giving the figures a fresh evaluation gives) or evaluates anew, and on which examples.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { evaluateExportedWeights } from '../../src/core/export/final-evaluation';
import type { FinalEvaluation } from '../../src/core/export/types';
import type { ClassificationMetrics } from '../../src/core/metrics/classification';
import { buildClassifier } from '../../src/core/models/build';
import type { SequenceClassifier } from '../../src/core/models/types';
import { fineTune, planRun, type ExportedWeights } from '../../src/core/run/fine-tune';
import { classifierEvaluator } from '../../src/core/run/sequence-classification';
import { sequenceClassificationTask } from '../../src/core/tasks/sequence-classification';
import { resolveTrainingArguments, type TrainingArguments } from '../../src/core/train/arguments';
import type { TokenizedExample } from '../../src/core/train/batching';
import { tinyCheckpoint, tinyConfig, tinyExamples } from './models-fixtures';

const LABELS = ['without', 'with'];
const trainSet = tinyExamples(24, 3);
const validation = tinyExamples(12, 4);
const build = () => buildClassifier(tinyConfig('bert'), tinyCheckpoint('bert'), { numLabels: 2, seed: 11 });

type Seen = ExportedWeights<SequenceClassifier, TokenizedExample, ClassificationMetrics>;

/** A run through the service whose final evaluation is recorded as well as made. */
async function runService(args: TrainingArguments, validationSet: readonly TokenizedExample[]) {
  const model = build();
  const phases: string[] = [];
  const seen: Seen[] = [];
  const plan = planRun(args, trainSet.length, validationSet.length);
  const run = await fineTune({
    task: sequenceClassificationTask,
    model,
    train: trainSet,
    validation: validationSet,
    args: plan.args,
    backend: 'cpu',
    hooks: {},
    onPhase: (phase) => phases.push(phase),
    evaluateExported: (weights) => {
      seen.push(weights);
      return classifierEvaluator(LABELS)(weights);
    },
  });
  const evaluation = await run.evaluate();
  return { model, plan, run, evaluation, phases, seen: seen[0]! };
}

/** The figures of an evaluation, for comparing two of them. */
const figures = (e: FinalEvaluation) => ({
  step: e.step,
  accuracy: e.accuracy,
  macroF1: e.macroF1,
  confusionMatrix: e.confusionMatrix,
});

describe('the run service', () => {
  beforeAll(async () => {
    expect((await initBackend({ prefer: 'cpu' })).name).toBe('cpu');
  });

  it('plans a run without evaluations when no validation example is left', () => {
    const args = resolveTrainingArguments({
      eval_strategy: 'epoch',
      load_best_model_at_end: true,
      early_stopping_patience: 2,
      per_device_train_batch_size: 4,
      num_train_epochs: 2,
    });
    const none = planRun(args, 24, 0);
    expect(none.args.eval_strategy).toBe('no');
    expect(none.args.load_best_model_at_end).toBe(false);
    expect(none.args.early_stopping_patience).toBeUndefined();
    expect([none.totalSteps, none.updatesPerEpoch]).toEqual([12, 6]);
    expect(planRun(args, 24, 12).args).toBe(args);
  });

  it('reuses the last evaluation when it scored the exported weights, with a fresh evaluation’s figures', async () => {
    const args = resolveTrainingArguments({
      learning_rate: 1e-2,
      num_train_epochs: 2,
      per_device_train_batch_size: 4,
      eval_strategy: 'epoch',
      seed: 7,
    });
    const { model, run, evaluation, phases, seen } = await runService(args, validation);
    expect(phases).toEqual(['training']);
    expect(run.evaluatedOn).toBe('validation');
    expect(seen.last?.record.step).toBe(run.result.globalStep);
    expect(seen.examples).toBe(validation);
    const fresh = await evaluateExportedWeights(model, validation, args, LABELS, seen.at);
    expect(figures(evaluation)).toEqual(figures(fresh));
    expect(evaluation.loss).toBeCloseTo(fresh.loss!, 6);
    model.dispose();
  });

  it('evaluates anew when the last evaluation came before the last step', async () => {
    // 12 steps, evaluations at steps 5 and 10: the weights of step 12 were never evaluated by the loop.
    const args = resolveTrainingArguments({
      learning_rate: 1e-2,
      num_train_epochs: 2,
      per_device_train_batch_size: 4,
      eval_strategy: 'steps',
      eval_steps: 5,
      seed: 7,
    });
    const { model, run, evaluation, seen } = await runService(args, validation);
    expect(run.result.globalStep).toBe(12);
    expect(seen.last).toBeUndefined();
    expect(seen.at.step).toBe(12);
    expect(evaluation.step).toBe(12);
    const fresh = await evaluateExportedWeights(model, validation, args, LABELS, seen.at);
    expect(figures(evaluation)).toEqual(figures(fresh));
    model.dispose();
  });

  it('evaluates on the training examples when there are no validation examples', async () => {
    const args = resolveTrainingArguments({
      num_train_epochs: 1,
      per_device_train_batch_size: 8,
      eval_strategy: 'epoch',
      seed: 7,
    });
    const { model, plan, run, evaluation, seen } = await runService(args, []);
    expect(plan.args.eval_strategy).toBe('no');
    expect(run.result.logHistory.some((r) => r.eval_loss !== undefined)).toBe(false);
    expect(run.evaluatedOn).toBe('train');
    expect(seen.examples).toBe(trainSet);
    expect(evaluation.perClass.reduce((n, c) => n + c.support, 0)).toBe(trainSet.length);
    model.dispose();
  });
});
