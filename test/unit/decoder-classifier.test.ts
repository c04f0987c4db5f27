// The decoders as sequence classifiers (GPT2ForSequenceClassification, LlamaForSequenceClassification,
// Qwen2ForSequenceClassification) against the real transformers 5.18, live: test/python/decoder_seqcls.py loads
// each tiny random fixture with AutoModelForSequenceClassification and WebTune's own seeded `score` weights (torch's
// RNG cannot make the same ones), then computes the logits of a right-padded batch (rows of different lengths, one
// holding the pad id inside its text, where "rightmost non-pad token" and "token before the first pad" differ)
// and the losses of five AdamW steps; WebTune builds the classifier with buildClassifier and trains it with the
// trainer and the sequence-classification task, on cpu and wasm.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { buildClassifier } from '../../src/core/models/build';
import type { HFConfig, SequenceClassifier } from '../../src/core/models/types';
import { sequenceClassificationTask } from '../../src/core/tasks/sequence-classification';
import type { TokenizedExample } from '../../src/core/train/batching';
import { trainTask } from '../../src/core/train/trainer';
import { runPythonStack } from '../support/python';
import { DECODER_FIXTURES, loadDecoderFixture, type DecoderFixture } from './decoder-fixtures';
import { maxAbsDiff } from './models-fixtures';

const SCRIPT = readFileSync(join(__dirname, '..', 'python', 'decoder_seqcls.py'), 'utf8');
const NUM_LABELS = 3;
const SEED = 42;
const STEPS = 5;
const RECIPE = { lr: 1e-3, weight_decay: 0.01, eps: 1e-8 };

interface PythonOut {
  architecture: string;
  logits: number[][];
  losses: number[];
}

const noDropout = (config: HFConfig): HFConfig => ({
  ...config,
  embd_pdrop: 0,
  resid_pdrop: 0,
  attn_pdrop: 0,
  attention_dropout: 0,
});

/** Rows of real tokens (ids well inside every fixture's vocabulary, none of them a pad id). */
function rows(pad: number): number[][] {
  return [
    [464, 6193, 1909, 318, 257, 922, 1110],
    [40, 588, 340, 13],
    // The pad id inside the text: transformers takes the rightmost non-pad token (index 4), not the one before it.
    [15496, 11, pad, 995, 0],
  ];
}

function padRows(ids: number[][], pad: number): { input_ids: number[][]; attention_mask: number[][] } {
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

const expected = new Map<string, { python: PythonOut; pad: number }>();
const report: string[] = [];

function build(fixture: DecoderFixture): SequenceClassifier {
  return buildClassifier(noDropout(fixture.config), fixture.weights, {
    numLabels: NUM_LABELS,
    seed: SEED,
    modelName: fixture.id,
  });
}

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
  for (const id of DECODER_FIXTURES) {
    const fixture = loadDecoderFixture(id);
    const model = build(fixture);
    const score = (await model.variables.get('score.weight')!.array()) as number[][];
    const pad = Number(model.config.pad_token_id);
    model.dispose();
    const batch = padRows(rows(pad), pad);
    const train = padRows(TRAIN_ROWS, pad);
    const python = runPythonStack<PythonOut>(
      SCRIPT,
      {
        folder: fixture.dir,
        pad_token_id: pad,
        score,
        ...batch,
        train: { ...train, labels: TRAIN_LABELS, steps: STEPS, ...RECIPE },
      },
      240_000,
    );
    expected.set(id, { python, pad });
  }
}, 300_000);

afterAll(() => console.log(report.join('\n')));

describe('a decoder as a sequence classifier: what it is made of', () => {
  it.each(DECODER_FIXTURES)('%s: names, pad token, the new score', async (id) => {
    await initBackend({ prefer: 'cpu' });
    const fixture = loadDecoderFixture(id);
    const model = build(fixture);
    const prefix = fixture.config.model_type === 'gpt2' ? 'transformer.' : 'model.';
    const names = [...model.variables.keys()];
    expect(names).toContain('score.weight');
    expect(names.filter((n) => n !== 'score.weight').every((n) => n.startsWith(prefix))).toBe(true);
    expect(names.some((n) => n.startsWith('lm_head'))).toBe(false);
    expect(model.variables.get('score.weight')!.shape).toEqual([
      NUM_LABELS,
      fixture.config.n_embd ?? fixture.config.hidden_size,
    ]);
    expect(model.headVariableNames).toEqual(['score.weight']);
    expect(model.loadReport?.initialized).toEqual(['score.weight']);
    // GPT-2's config has pad_token_id null: eos stands in, as `model.config.pad_token_id = tokenizer.eos_token_id`.
    expect(model.config.pad_token_id).toBe(
      fixture.config.model_type === 'gpt2' ? 50256 : fixture.config.pad_token_id,
    );
    // normal(0, initializer_range) from the seed: the same seed gives the same score.
    const again = build(fixture);
    const a = await model.variables.get('score.weight')!.data();
    expect(Array.from(await again.variables.get('score.weight')!.data())).toEqual(Array.from(a));
    const std = Math.sqrt(Array.from(a).reduce((s, x) => s + x * x, 0) / a.length);
    expect(std).toBeGreaterThan(0.01);
    expect(std).toBeLessThan(0.03);
    again.dispose();
    model.dispose();
  });
});

describe.each(['cpu', 'wasm'] as const)('decoder classifiers against transformers 5.18 on %s', (backend) => {
  it.each(DECODER_FIXTURES)(
    '%s: padded-batch logits within 1e-5, five AdamW steps within 1e-4 relative',
    { timeout: 240_000 },
    async (id) => {
      await initBackend({ prefer: backend });
      const { python, pad } = expected.get(id)!;
      const fixture = loadDecoderFixture(id);
      expect(python.architecture).toBe(
        (fixture.config.model_type === 'gpt2'
          ? 'GPT2'
          : fixture.config.model_type === 'llama'
            ? 'Llama'
            : 'Qwen2') + 'ForSequenceClassification',
      );
      const model = build(fixture);
      const batch = padRows(rows(pad), pad);
      const logits = tf.tidy(() =>
        model.forward(
          {
            inputIds: tf.tensor2d(batch.input_ids, undefined, 'int32'),
            attentionMask: tf.tensor2d(batch.attention_mask, undefined, 'int32'),
          },
          { training: false },
        ),
      );
      const logitsDiff = maxAbsDiff(await logits.data(), python.logits.flat());
      logits.dispose();

      const examples: TokenizedExample[] = TRAIN_ROWS.map((inputIds, i) => ({
        inputIds,
        label: TRAIN_LABELS[i]!,
      }));
      const losses: number[] = [];
      const counts: number[] = [];
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
          weightDecayFilter: () => true,
          onLog: (record) => {
            if (record.loss === undefined) return;
            losses.push(record.loss);
            counts.push(tf.memory().numTensors);
          },
        },
      );
      expect(result.globalStep).toBe(STEPS);
      const relative = losses.map((l, i) => Math.abs(l - python.losses[i]!) / Math.abs(python.losses[i]!));
      const worst = Math.max(...relative);
      report.push(
        `decoder classifier ${id} × ${backend}: logits max |diff| ${logitsDiff.toExponential(2)}; ` +
          `losses ${losses.map((l) => l.toFixed(6)).join(', ')} (transformers ${python.losses.map((l) => l.toFixed(6)).join(', ')}), ` +
          `worst relative diff ${worst.toExponential(2)}`,
      );
      expect(logitsDiff).toBeLessThanOrEqual(1e-5);
      expect(losses).toHaveLength(STEPS);
      expect(worst).toBeLessThanOrEqual(1e-4);
      expect(new Set(counts.slice(1)).size).toBe(1);
      model.dispose();
    },
  );
});
