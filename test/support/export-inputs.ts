// Export inputs for tests: a fixture classifier from ../shared/models read as the engine would hand it over,
// with made-up training figures (the tests check that these figures, whatever they are, reach the files).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '../../src/core/hub/safetensors';
import type { ExportInputs } from '../../src/core/export/types';
import { WEBTUNE_VERSION } from '../../src/core/export/version';
import type { Architecture, HFConfig } from '../../src/core/models/types';
import { sharedModelDir } from './shared';

export interface FixtureModel {
  dir: string;
  config: HFConfig;
  files: Map<string, Uint8Array>;
  weights: ReturnType<typeof readSafetensors>;
}

export function readFixtureModel(hubId: string): FixtureModel {
  const dir = sharedModelDir(hubId);
  const files = new Map<string, Uint8Array>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name !== 'model.safetensors' && !name.endsWith('.md') && existsSync(path)) {
      files.set(name, new Uint8Array(readFileSync(path)));
    }
  }
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as HFConfig;
  const weights = readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
  return { dir, config, files, weights };
}

/** Training figures for a three-label run (negative / neutral / positive, as the fixtures' heads have). */
export function sampleInputs(hubId: string, architecture: Architecture): ExportInputs {
  const model = readFixtureModel(hubId);
  const labels = ['negative', 'neutral', 'positive'];
  return {
    modelName: 'tiny-sentiment',
    baseModel: { hubId, architecture, config: model.config, files: model.files },
    labels,
    weights: model.weights,
    dataset: {
      fileName: 'reviews.csv',
      textColumns: ['text'],
      labelColumn: 'sentiment',
      rowsRead: 1234,
      trainRows: 1000,
      validationRows: 200,
      split: { kind: 'stratified', validationFraction: 1 / 6, seed: 7 },
      labelCounts: [
        { label: 'negative', train: 610, validation: 122 },
        { label: 'neutral', train: 90, validation: 18 },
        { label: 'positive', train: 300, validation: 60 },
      ],
      issues: [
        { kind: 'duplicates', rows: 21, action: 'dropped' },
        { kind: 'empty-texts', rows: 13, action: 'dropped' },
        { kind: 'long-texts', rows: 8, action: 'truncated', detail: 'to 128 tokens' },
      ],
    },
    hyperparameters: {
      learning_rate: 5e-5,
      num_train_epochs: 2,
      per_device_train_batch_size: 16,
      per_device_eval_batch_size: 64,
      weight_decay: 0.01,
      warmup_ratio: 0.1,
      lr_scheduler_type: 'linear',
      max_grad_norm: 1,
      adam_beta1: 0.9,
      adam_beta2: 0.999,
      adam_epsilon: 1e-8,
      max_seq_length: 128,
      seed: 42,
    },
    logHistory: [
      { step: 50, epoch: 0.8, loss: 0.9871, learning_rate: 3.1e-5, grad_norm: 2.5 },
      { step: 63, epoch: 1, eval_loss: 0.8123, eval_accuracy: 0.715, eval_f1: 0.5542, eval_runtime: 1.9 },
      { step: 100, epoch: 1.59, loss: 0.6012, learning_rate: 1.2e-5, grad_norm: 1.75 },
      { step: 126, epoch: 2, eval_loss: 0.7011, eval_accuracy: 0.765, eval_f1: 0.5971, eval_runtime: 1.8 },
    ],
    finalEvaluation: {
      step: 126,
      epoch: 2,
      accuracy: 0.765,
      macroF1: 0.5971,
      weightedF1: 0.7522,
      loss: 0.7011,
      perClass: [
        { label: 'negative', precision: 0.8268, recall: 0.8607, f1: 0.8434, support: 122 },
        { label: 'neutral', precision: 0.3333, recall: 0.1667, f1: 0.2222, support: 18 },
        { label: 'positive', precision: 0.7031, recall: 0.75, f1: 0.7258, support: 60 },
      ],
      confusionMatrix: [
        [105, 5, 12],
        [8, 3, 7],
        [14, 1, 45],
      ],
    },
    run: {
      backend: 'wasm',
      webtuneVersion: WEBTUNE_VERSION,
      tfjsVersion: '4.22.0',
      trainRuntimeSeconds: 312.4,
    },
  };
}
