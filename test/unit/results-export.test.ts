// ExportInputs assembled from what the worker holds, as plain data: a trained run's record reaches the files
// unchanged; a checkpoint used as it is gets its card from the Evaluate step, and cannot export before one.
import { describe, expect, it } from 'vitest';
import { buildExportFiles } from '../../src/core/export/bundle';
import {
  assembleExportInputs,
  exportModelName,
  ExportNotReadyError,
  finalFromDetails,
  type ExportFacts,
} from '../../src/worker/results-export-inputs';
import { evaluationDetails } from '../../src/worker/results-shape';
import { readFixtureModel, sampleInputs } from '../support/export-inputs';

const ID = 'webtune/tiny-random-bert-cls';
const labels = ['negative', 'neutral', 'positive'];

function facts(extra: Partial<ExportFacts>): ExportFacts {
  const model = readFixtureModel(ID);
  const text = (name: string) => new TextDecoder().decode(model.files.get(name));
  return {
    modelName: 'tiny-sentiment',
    base: {
      name: ID,
      hubId: ID,
      revision: 'main',
      architecture: 'bert',
      config: model.config,
      tokenizerFiles: {
        'tokenizer.json': text('tokenizer.json'),
        'tokenizer_config.json': text('tokenizer_config.json'),
      },
    },
    labels,
    weights: model.weights,
    backend: 'wasm',
    tfjsVersion: '4.22.0',
    ...extra,
  };
}

describe('ExportInputs assembly', () => {
  it("passes a training run's record through unchanged and copies the base model's files", () => {
    const sample = sampleInputs(ID, 'bert');
    const training = {
      dataset: sample.dataset,
      hyperparameters: sample.hyperparameters,
      logHistory: sample.logHistory,
      finalEvaluation: sample.finalEvaluation,
      run: sample.run,
    };
    const inputs = assembleExportInputs(facts({ training }));
    expect(inputs.dataset).toBe(sample.dataset);
    expect(inputs.hyperparameters).toBe(sample.hyperparameters);
    expect(inputs.finalEvaluation).toBe(sample.finalEvaluation);
    expect(inputs.baseModel).toMatchObject({ hubId: ID, revision: 'main', architecture: 'bert' });
    expect([...inputs.baseModel.files.keys()].sort()).toEqual([
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const files = buildExportFiles(inputs);
    const card = new TextDecoder().decode(files.get('README.md'));
    expect(card).toContain('reviews.csv');
    expect(card).toContain(ID);
    const args = JSON.parse(new TextDecoder().decode(files.get('training_args.json'))) as Record<
      string,
      unknown
    >;
    expect(args.learning_rate).toBe(5e-5);
  });

  it("takes the trainer's last logged step for an Evaluate-step evaluation when the trainer left none", () => {
    const sample = sampleInputs(ID, 'bert');
    const details = evaluationDetails(
      labels,
      [0, 1, 2, 2].map((label, i) => ({ text: `t${i}`, label })),
      [
        [0.8, 0.1, 0.1],
        [0.1, 0.1, 0.8],
        [0.2, 0.2, 0.6],
        [0.3, 0.4, 0.3],
      ],
      'the validation split',
    );
    const training = { ...sample, finalEvaluation: undefined };
    const inputs = assembleExportInputs(facts({ training, evaluation: details }));
    expect(inputs.finalEvaluation).toMatchObject({ step: 126, epoch: 2, accuracy: 0.5 });
    expect(inputs.finalEvaluation.confusionMatrix).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 1],
    ]);
  });

  it('describes a checkpoint used as it is by its evaluation file, with zero training', () => {
    const details = evaluationDetails(
      labels,
      [0, 2].map((label, i) => ({ text: `t${i}`, label })),
      [
        [0.6, 0.3, 0.1],
        [0.1, 0.3, 0.6],
      ],
      'check.csv',
    );
    const inputs = assembleExportInputs(facts({ evaluation: details }));
    expect(inputs.dataset).toMatchObject({ fileName: 'check.csv', trainRows: 0, validationRows: 2 });
    expect(inputs.dataset.labelCounts).toEqual([
      { label: 'negative', train: 0, validation: 1 },
      { label: 'neutral', train: 0, validation: 0 },
      { label: 'positive', train: 0, validation: 1 },
    ]);
    expect(inputs.hyperparameters).toMatchObject({ num_train_epochs: 0, fine_tuned_in_webtune: false });
    expect(inputs.run).toMatchObject({ backend: 'wasm', tfjsVersion: '4.22.0' });
    expect(() => buildExportFiles(inputs)).not.toThrow();
  });

  it('refuses to export without any evaluation, or with an evaluation of other labels', () => {
    expect(() => assembleExportInputs(facts({}))).toThrow(ExportNotReadyError);
    expect(() => assembleExportInputs(facts({}))).toThrow(/run Evaluate first/);
    const other = evaluationDetails(['x', 'y'], [{ text: 'a', label: 0 }], [[1, 0]], 'o.csv');
    expect(() => finalFromDetails(other, labels, 0, 0)).toThrow(/labels x, y but the model has negative/);
  });

  it('names the export after the base model', () => {
    expect(exportModelName('prajjwal1/bert-tiny', 'trained')).toBe('bert-tiny-finetuned');
    expect(exportModelName('the dropped folder my model', 'as-loaded')).toBe('my-model');
    expect(exportModelName('the dropped folder', 'trained')).toBe('model-finetuned');
  });
});
