// The classification trainer's machinery with the causal-LM task, on a tiny random Llama (GQA, tied head) and
// GPT-2 (dropout on): exact resume from a checkpoint, micro-batches and gradient accumulation giving the whole
// batch's update (the loss averaged over every label token of the step, as the Trainer's num_items_in_batch),
// LoRA for decoders (task_type CAUSAL_LM: only the adapters change), early stopping on eval_loss with the best
// model loaded, and tf.memory().numTensors flat across steps.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { attachLora } from '../../src/core/lora/attach';
import { resolveLoraConfig } from '../../src/core/lora/config';
import { buildCausalLM, IGNORE_INDEX, type CausalLM } from '../../src/core/models/causal-lm';
import { causalLmEvalLoss, causalLmTask, type CausalLmExample } from '../../src/core/tasks/causal-lm';
import { resolveTrainingArguments, type TrainingArguments } from '../../src/core/train/arguments';
import { measureStepCost, STEP_MEMORY_HEADROOM } from '../../src/core/train/micro-batches';
import { warmUpTask } from '../../src/core/train/warm-up';
import { trainTask, type LogRecord, type TrainerCheckpoint } from '../../src/core/train/trainer';
import { createRng } from '../../src/core/random';
import { tinyDecoderCheckpoint, tinyDecoderConfig, type TinyDecoder } from './decoder-fixtures';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const model = (arch: TinyDecoder, dropout = 0): CausalLM =>
  buildCausalLM(
    { ...tinyDecoderConfig(arch), resid_pdrop: dropout, embd_pdrop: dropout, attn_pdrop: dropout },
    tinyDecoderCheckpoint(arch),
    {
      modelName: arch,
    },
  );

/** Rows of different lengths, some with a masked prompt, so that token counts differ between batches. */
function examples(n: number, seed: number): CausalLmExample[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const length = 3 + Math.floor(rng.next() * 10);
    const ids = Array.from({ length }, () => Math.floor(rng.next() * 40));
    const prompt = i % 3 === 0 ? Math.floor(length / 2) : 0;
    return { inputIds: ids, labels: ids.map((id, t) => (t < prompt ? IGNORE_INDEX : id)) };
  });
}

const weightsOf = async (m: CausalLM) =>
  Object.fromEntries(
    await Promise.all([...m.variables].map(async ([k, v]) => [k, Array.from(await v.data())] as const)),
  );

const base: Partial<TrainingArguments> = {
  learning_rate: 5e-3,
  per_device_train_batch_size: 4,
  num_train_epochs: 2,
  logging_steps: 1,
  save_seconds: 0,
  seed: 7,
  weight_decay: 0.01,
  warmup_ratio: 0.2,
};

function expectClose(a: Record<string, number[]>, b: Record<string, number[]>, tol: number) {
  expect(Object.keys(a)).toEqual(Object.keys(b));
  let worst = 0;
  for (const k of Object.keys(a)) a[k]!.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - b[k]![i]!))));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('training a causal LM with the trainer', () => {
  it('resumes exactly from a mid-run checkpoint (dropout on)', async () => {
    const data = { train: examples(14, 1) };
    const straight = model('gpt2', 0.1);
    const full = await trainTask(causalLmTask, straight, data, base);
    const first = model('gpt2', 0.1);
    let saved: TrainerCheckpoint | undefined;
    let calls = 0;
    const part = await trainTask(causalLmTask, first, data, base, {
      signal: {
        get aborted() {
          return ++calls > 3;
        },
      },
      onCheckpoint: (c) => void (saved = c),
    });
    expect(part.status).toBe('stopped');
    const second = model('gpt2', 0.1);
    const rest = await trainTask(causalLmTask, second, data, base, { resumeFrom: saved });
    expect(rest.globalStep).toBe(full.globalStep);
    const losses = (h: LogRecord[]) => h.filter((r) => r.loss !== undefined).map((r) => r.loss);
    expect(losses(rest.logHistory)).toEqual(losses(full.logHistory));
    expect(await weightsOf(second)).toEqual(await weightsOf(straight));
    [straight, first, second].forEach((m) => m.dispose());
  });

  it('micro-batches and gradient accumulation give the whole batch’s update (mean over the step’s label tokens)', async () => {
    const data = { train: examples(16, 2) };
    const run = async (args: Partial<TrainingArguments>, fitsExamples?: number) => {
      const m = model('llama');
      let budget: number | undefined;
      if (fitsExamples !== undefined) {
        // A budget that fits this many rows of the longest, from the measurement the trainer makes.
        const vars = [...m.variables.values()];
        const longest = data.train.reduce(
          (a, ex, i) => (ex.inputIds.length > data.train[a]!.inputIds.length ? i : a),
          0,
        );
        const cost = await measureStepCost((n) =>
          tf.tidy(() => {
            tf.variableGrads(
              () =>
                causalLmTask.batchLoss(m, data.train, new Array<number>(n).fill(longest), {
                  training: true,
                  dropoutSeed: 0,
                  args: resolveTrainingArguments(base),
                }),
              vars,
            );
          }),
        );
        const moments = 2 * vars.reduce((a, v) => a + v.size * 4, 0);
        budget =
          (tf.memory().numBytes + moments + cost.fixed + (fitsExamples + 0.5) * cost.perExample) /
          STEP_MEMORY_HEADROOM;
      }
      const counts: number[] = [];
      const notices: string[] = [];
      const r = await trainTask(
        causalLmTask,
        m,
        data,
        { ...base, ...args },
        {
          memoryBudgetBytes: budget,
          onNotice: (n) => notices.push(n),
          onLog: (r) => void (r.loss !== undefined && counts.push(tf.memory().numTensors)),
        },
      );
      const w = await weightsOf(m);
      m.dispose();
      return { r, w, counts, notices };
    };
    // One epoch: accumulation draws a dropout seed per micro-batch, so later epochs' orders differ.
    const whole = await run({ num_train_epochs: 1 });
    const accumulated = await run({
      num_train_epochs: 1,
      per_device_train_batch_size: 2,
      gradient_accumulation_steps: 2,
    });
    const split = await run({ num_train_epochs: 1 }, 1);
    // Batches of 4 from the same order as two micro-batches of 2: the same four rows per step.
    const losses = (x: typeof whole) =>
      x.r.logHistory.filter((r) => r.loss !== undefined).map((r) => r.loss!);
    expect(losses(accumulated)).toEqual(losses(whole).map((l) => expect.closeTo(l, 5)));
    expectClose(accumulated.w, whole.w, 2e-5);
    // A budget too small for a whole batch: each runs as micro-batches, the same update.
    expect(split.notices.join()).toMatch(/micro-batches/);
    expect(losses(split)).toEqual(losses(whole).map((l) => expect.closeTo(l, 5)));
    expectClose(split.w, whole.w, 2e-5);
    // A per-example mean of means would differ: the rows hold different numbers of label tokens.
    expect(
      new Set(data.train.map((e) => e.labels.filter((l) => l !== IGNORE_INDEX).length)).size,
    ).toBeGreaterThan(2);
    expect(new Set(whole.counts.slice(1)).size).toBe(1);
  });

  it('LoRA on a decoder (CAUSAL_LM): only the adapters train; the loss falls', async () => {
    const m = model('llama');
    const lora = attachLora(m, resolveLoraConfig('llama', 'CAUSAL_LM', { r: 2, lora_alpha: 4 }), { seed: 3 });
    expect(lora.config.task_type).toBe('CAUSAL_LM');
    expect(lora.savedVariableNames).toEqual([]);
    const before = await weightsOf(m);
    const train = examples(12, 3);
    const data = { train, eval: train.slice(0, 6) }; // random tokens: only what was seen can get likelier
    const loss0 = await causalLmEvalLoss(m, data.eval, 4);
    const r = await trainTask(causalLmTask, m, data, {
      ...base,
      learning_rate: 5e-2,
      mode: 'lora',
      num_train_epochs: 3,
      eval_strategy: 'epoch',
    });
    expect(await weightsOf(m)).toEqual(before); // the base weights, untouched
    const evals = r.logHistory.filter((x) => x.eval_loss !== undefined);
    expect(evals).toHaveLength(3);
    expect(evals.at(-1)!.eval_loss).toBeLessThan(loss0);
    expect(evals.at(-1)!.eval_perplexity).toBeCloseTo(Math.exp(evals.at(-1)!.eval_loss!), 6);
    m.dispose();
  });

  it('the warm-up pass (webgpu shader compile) frees everything and changes nothing', async () => {
    const m = model('gpt2', 0.1);
    const before = await weightsOf(m);
    const tensors = tf.memory().numTensors;
    await warmUpTask(causalLmTask, m, examples(6, 8), resolveTrainingArguments(base));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await weightsOf(m)).toEqual(before);
    m.dispose();
  });

  it('early stopping on eval_loss loads the best model, whose eval loss is the best logged', async () => {
    const m = model('qwen2');
    const data = { train: examples(8, 5), eval: examples(6, 6) };
    const r = await trainTask(causalLmTask, m, data, {
      ...base,
      learning_rate: 0.3, // too high on purpose: the eval loss soon rises
      num_train_epochs: 12,
      per_device_train_batch_size: 8,
      eval_strategy: 'epoch',
      early_stopping_patience: 2,
      load_best_model_at_end: true,
      max_grad_norm: 0,
    });
    const evals = r.logHistory.filter((x) => x.eval_loss !== undefined).map((x) => x.eval_loss!);
    expect(r.status).toBe('early-stopped');
    expect(r.bestMetric).toBe(Math.min(...evals));
    expect(await causalLmEvalLoss(m, data.eval, 8)).toBeCloseTo(r.bestMetric!, 5);
    m.dispose();
  });
});
