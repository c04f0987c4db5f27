// Shared by the decoder-classifier tests (unit: cpu and wasm; webgpu): the tiny random decoders built as sequence
// classifiers with WebTune's seeded `score`, the reference from the real transformers 5.18
// (test/python/decoder_seqcls.py: AutoModelForSequenceClassification with that same score, dropout off), and the
// measurement on the current backend: the logits of a right-padded batch and the losses of five AdamW steps
// through the trainer with the sequence-classification task.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { buildClassifier } from '../../src/core/models/build';
import type { HFConfig, SequenceClassifier } from '../../src/core/models/types';
import { sequenceClassificationTask } from '../../src/core/tasks/sequence-classification';
import type { TokenizedExample } from '../../src/core/train/batching';
import { trainTask } from '../../src/core/train/trainer';
import { runPythonStack } from '../support/python';
import { loadDecoderFixture, type DecoderFixture } from './decoder-fixtures';
import { maxAbsDiff } from './models-fixtures';

const SCRIPT = readFileSync(join(__dirname, '..', 'python', 'decoder_seqcls.py'), 'utf8');
export const NUM_LABELS = 3;
const SEED = 42;
export const STEPS = 5;
const RECIPE = { lr: 1e-3, weight_decay: 0.01, eps: 1e-8 };

export interface DecoderClassifierReference {
  architecture: string;
  logits: number[][];
  losses: number[];
  pad: number;
}

const noDropout = (config: HFConfig): HFConfig => ({
  ...config,
  embd_pdrop: 0,
  resid_pdrop: 0,
  attn_pdrop: 0,
  attention_dropout: 0,
});

/** Rows of real tokens (ids well inside every fixture's vocabulary), one holding the pad id inside its text. */
function rows(pad: number): number[][] {
  return [
    [464, 6193, 1909, 318, 257, 922, 1110],
    [40, 588, 340, 13],
    // The pad id inside the text: transformers takes the rightmost non-pad token (index 4), not the one before it.
    [15496, 11, pad, 995, 0],
  ];
}

export function padRows(ids: number[][], pad: number): { input_ids: number[][]; attention_mask: number[][] } {
  const width = Math.max(...ids.map((r) => r.length));
  return {
    input_ids: ids.map((r) => [...r, ...Array<number>(width - r.length).fill(pad)]),
    attention_mask: ids.map((r) => [...r.map(() => 1), ...Array<number>(width - r.length).fill(0)]),
  };
}

const TRAIN_ROWS = [
  [464, 3290, 373, 1049, 13],
  [40, 17753, 340],
  [1212, 3807, 373, 2089, 290, 14262, 13],
  [2025, 2068],
];
const TRAIN_LABELS = [0, 2, 1, 2];

export function buildFixtureClassifier(fixture: DecoderFixture): SequenceClassifier {
  return buildClassifier(noDropout(fixture.config), fixture.weights, {
    numLabels: NUM_LABELS,
    seed: SEED,
    modelName: fixture.id,
  });
}

/** transformers' logits and losses for the fixture, with the score WebTune initialises (built on the backend set). */
export async function decoderClassifierReference(id: string): Promise<DecoderClassifierReference> {
  const fixture = loadDecoderFixture(id);
  const model = buildFixtureClassifier(fixture);
  const score = (await model.variables.get('score.weight')!.array()) as number[][];
  const pad = Number(model.config.pad_token_id);
  model.dispose();
  const python = runPythonStack<Omit<DecoderClassifierReference, 'pad'>>(
    SCRIPT,
    {
      folder: fixture.dir,
      pad_token_id: pad,
      score,
      ...padRows(rows(pad), pad),
      train: { ...padRows(TRAIN_ROWS, pad), labels: TRAIN_LABELS, steps: STEPS, ...RECIPE },
    },
    240_000,
  );
  return { ...python, pad };
}

export interface DecoderClassifierMeasured {
  logitsDiff: number;
  losses: number[];
  worstLossRelative: number;
  /** tf.memory().numTensors after each logged step. */
  tensorCounts: number[];
  steps: number;
}

/** Logits and five AdamW steps on the current backend, against the reference. */
export async function measureDecoderClassifier(
  id: string,
  expected: DecoderClassifierReference,
): Promise<DecoderClassifierMeasured> {
  const model = buildFixtureClassifier(loadDecoderFixture(id));
  const batch = padRows(rows(expected.pad), expected.pad);
  const logits = tf.tidy(() =>
    model.forward(
      {
        inputIds: tf.tensor2d(batch.input_ids, undefined, 'int32'),
        attentionMask: tf.tensor2d(batch.attention_mask, undefined, 'int32'),
      },
      { training: false },
    ),
  );
  const logitsDiff = maxAbsDiff(await logits.data(), expected.logits.flat());
  logits.dispose();
  const examples: TokenizedExample[] = TRAIN_ROWS.map((inputIds, i) => ({
    inputIds,
    label: TRAIN_LABELS[i]!,
  }));
  const losses: number[] = [];
  const tensorCounts: number[] = [];
  const result = await trainTask(
    sequenceClassificationTask,
    model,
    { train: examples },
    {
      learning_rate: RECIPE.lr,
      weight_decay: RECIPE.weight_decay,
      lr_scheduler_type: 'constant',
      max_grad_norm: 0,
      per_device_train_batch_size: examples.length,
      num_train_epochs: STEPS,
      logging_steps: 1,
      save_seconds: 0,
      seed: SEED,
    },
    {
      // torch.optim.AdamW over model.parameters() decays every one.
      weightDecayFilter: () => true,
      onLog: (record) => {
        if (record.loss === undefined) return;
        losses.push(record.loss);
        tensorCounts.push(tf.memory().numTensors);
      },
    },
  );
  model.dispose();
  const relative = losses.map((l, i) => Math.abs(l - expected.losses[i]!) / Math.abs(expected.losses[i]!));
  return {
    logitsDiff,
    losses,
    worstLossRelative: Math.max(...relative),
    tensorCounts,
    steps: result.globalStep,
  };
}

export const CLASS_NAMES: Record<string, string> = {
  gpt2: 'GPT2ForSequenceClassification',
  llama: 'LlamaForSequenceClassification',
  qwen2: 'Qwen2ForSequenceClassification',
};
