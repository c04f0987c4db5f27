// The run service on a real WebGPU device: its untimed warm-up pass comes before training (the phases the worker
// and the CLI show), then the run trains and evaluates as on the other backends, leaving no tensor behind.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { buildClassifier } from '../../src/core/models/build';
import { fineTune, planRun } from '../../src/core/run/fine-tune';
import { classifierEvaluator } from '../../src/core/run/sequence-classification';
import { sequenceClassificationTask } from '../../src/core/tasks/sequence-classification';
import { resolveTrainingArguments } from '../../src/core/train/arguments';
import type { TokenizedExample } from '../../src/core/train/batching';
import { tinyCheckpoint, tinyConfig } from '../unit/models-fixtures';

const examples = (count: number, offset: number): TokenizedExample[] =>
  Array.from({ length: count }, (_, i) => {
    const inputIds = [
      2,
      ...Array.from({ length: 2 + ((i + offset) % 6) }, (_, j) => 3 + ((i * 7 + j) % 28)),
      1,
    ];
    return { inputIds, label: inputIds.includes(5) ? 1 : 0 };
  });

describe('the run service on webgpu', () => {
  beforeAll(async () => {
    expect((await initBackend({ prefer: 'webgpu' })).name).toBe('webgpu');
  });

  it('warms up before training, then trains and evaluates', async () => {
    const trainSet = examples(16, 0);
    const validation = examples(8, 3);
    const model = buildClassifier(tinyConfig('bert'), tinyCheckpoint('bert'), { numLabels: 2, seed: 11 });
    const before = tf.memory().numTensors;
    const phases: string[] = [];
    const plan = planRun(
      resolveTrainingArguments({
        num_train_epochs: 1,
        per_device_train_batch_size: 4,
        eval_strategy: 'epoch',
      }),
      trainSet.length,
      validation.length,
    );
    const run = await fineTune({
      task: sequenceClassificationTask,
      model,
      train: trainSet,
      validation,
      args: plan.args,
      backend: tf.getBackend(),
      hooks: {},
      onPhase: (phase) => phases.push(phase),
      evaluateExported: classifierEvaluator(['a', 'b']),
    });
    expect(phases).toEqual(['warming-up', 'training']);
    expect(run.result.status).toBe('completed');
    expect(run.result.globalStep).toBe(plan.totalSteps);
    const evaluation = await run.evaluate();
    expect(evaluation.perClass.reduce((n, c) => n + c.support, 0)).toBe(validation.length);
    expect(Number.isFinite(evaluation.loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
