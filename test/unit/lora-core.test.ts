// LoRA's core on the encoder fixtures: PEFT's defaults per architecture, the initialisation (A Kaiming-uniform,
// B zero: the model's outputs are unchanged), modules_to_save as PEFT matches them (DistilBERT's pre_classifier
// too), all-linear against PEFT's own expansion, rsLoRA's scale, the parameter count and memory estimate, and
// the trainer's lora mode: only the adapters and the head change, checkpoints hold only them, resume is exact.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { readSafetensors } from '../../src/core/hub/safetensors';
import { attachLora } from '../../src/core/lora/attach';
import {
  countParameters,
  formatParameterShare,
  loraParameterCount,
  trainingMemoryEstimate,
} from '../../src/core/lora/budget';
import { loraScale, resolveLoraConfig } from '../../src/core/lora/config';
import { buildClassifier } from '../../src/core/models/build';
import type { HFConfig, SequenceClassifier } from '../../src/core/models/types';
import { train } from '../../src/core/train/trainer';
import type { TokenizedExample } from '../../src/core/train/batching';
import { runPythonStack } from '../support/python';
import { sharedModelDir } from '../support/shared';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

function fixture(name: 'bert' | 'distilbert' | 'roberta'): {
  dir: string;
  build: (labels?: number) => SequenceClassifier;
} {
  const dir = sharedModelDir(`webtune/tiny-random-${name}-cls`);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as HFConfig;
  const weights = readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
  return { dir, build: (labels = 3) => buildClassifier(config, weights, { numLabels: labels, seed: 1 }) };
}

const IDS = [
  [101, 1996, 2143, 2001, 2204, 102, 0, 0],
  [101, 2028, 2062, 3231, 2007, 1037, 2460, 102],
];
const inputs = () => ({
  inputIds: tf.tensor2d(IDS, undefined, 'int32'),
  attentionMask: tf.tensor2d(
    IDS.map((r) => r.map((x) => (x === 0 ? 0 : 1))),
    undefined,
    'int32',
  ),
});
async function logitsOf(model: SequenceClassifier): Promise<Float32Array> {
  const x = inputs();
  const y = model.forward(x, { training: false });
  const data = (await y.data()) as Float32Array;
  tf.dispose([y, x.inputIds, x.attentionMask]);
  return data;
}

describe('LoRA config and initialisation', () => {
  it("uses PEFT's names and defaults, per architecture", () => {
    expect(resolveLoraConfig('bert', 'SEQ_CLS')).toMatchObject({
      r: 8,
      lora_alpha: 8,
      lora_dropout: 0,
      target_modules: ['query', 'value'],
      modules_to_save: ['classifier', 'score'],
      use_rslora: false,
    });
    expect(resolveLoraConfig('distilbert', 'SEQ_CLS').target_modules).toEqual(['q_lin', 'v_lin']);
    expect(resolveLoraConfig('roberta', 'SEQ_CLS').target_modules).toEqual(['query', 'value']);
    expect(resolveLoraConfig('gpt2', 'CAUSAL_LM')).toMatchObject({
      target_modules: ['c_attn'],
      modules_to_save: null,
    });
    expect(resolveLoraConfig('llama', 'CAUSAL_LM').target_modules).toEqual(['q_proj', 'v_proj']);
    expect(resolveLoraConfig('qwen2', 'CAUSAL_LM').target_modules).toEqual(['q_proj', 'v_proj']);
    expect(loraScale({ r: 16, lora_alpha: 8, use_rslora: false })).toBe(0.5);
    expect(loraScale({ r: 16, lora_alpha: 8, use_rslora: true })).toBe(2);
    expect(() => resolveLoraConfig('bert', 'SEQ_CLS', { r: 0 })).toThrow('lora r must be a positive integer');
  });

  it('starts as the base model (B = 0) with A Kaiming-uniform in ±1/√in, the same from the same seed', async () => {
    const { build } = fixture('distilbert');
    const model = build();
    const before = await logitsOf(model);
    const state = attachLora(model, resolveLoraConfig('distilbert', 'SEQ_CLS'), { seed: 3 });
    expect(state.targetNames.sort()).toEqual(['q_lin', 'v_lin']);
    expect(await logitsOf(model)).toEqual(before);
    // PEFT's suffix rule: "classifier" also takes pre_classifier.
    expect(state.savedVariableNames.sort()).toEqual([
      'classifier.bias',
      'classifier.weight',
      'pre_classifier.bias',
      'pre_classifier.weight',
    ]);
    const a = state.adapters.get('distilbert.transformer.layer.0.attention.q_lin')!.adapter;
    const values = Array.from(await a.a.data());
    const bound = 1 / Math.sqrt(a.a.shape[1]!);
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(Array.from(await a.b.data()).every((x) => x === 0)).toBe(true);
    const again = fixture('distilbert').build();
    const state2 = attachLora(again, resolveLoraConfig('distilbert', 'SEQ_CLS'), { seed: 3 });
    expect(
      Array.from(
        await state2.adapters.get('distilbert.transformer.layer.0.attention.q_lin')!.adapter.a.data(),
      ),
    ).toEqual(values);
    model.dispose();
    again.dispose();
  });

  it.each([
    ['all-linear', null],
    ['all-linear', ['pooler']],
    [['dense'], ['pooler']],
  ] as const)(
    'adapts the layers PEFT adapts: target_modules %j, modules_to_save %j',
    async (targets, saved) => {
      const { dir, build } = fixture('bert');
      const model = build();
      const config = resolveLoraConfig('bert', 'SEQ_CLS', {
        target_modules: typeof targets === 'string' ? targets : [...targets],
        ...(saved ? { modules_to_save: [...saved] } : {}),
      });
      const state = attachLora(model, config, { seed: 0 });
      const peft = runPythonStack<string[]>(
        `
import json, sys
from transformers import AutoModelForSequenceClassification
from peft import LoraConfig, get_peft_model, TaskType
from peft.tuners.lora import LoraLayer
a = json.load(sys.stdin)
m = get_peft_model(AutoModelForSequenceClassification.from_pretrained(a["dir"]), LoraConfig(task_type=TaskType.SEQ_CLS, target_modules=a["targets"], modules_to_save=a["saved"]))
print(json.dumps(sorted(n.replace("base_model.model.", "") for n, x in m.named_modules() if isinstance(x, LoraLayer))))
`,
        { dir, targets, saved },
      );
      // A module trained in full (the pooler here) gets no adapter, as PEFT wraps it before adapting.
      expect([...state.adapters.keys()].sort()).toEqual(peft);
      model.dispose();
    },
  );

  it('counts trainable parameters before and after attaching, and estimates memory per mode', () => {
    const { build } = fixture('bert');
    const model = build();
    const config = resolveLoraConfig('bert', 'SEQ_CLS', { r: 4 });
    const planned = loraParameterCount(model, config);
    const base = countParameters(model);
    attachLora(model, config, { seed: 0 });
    const counted = countParameters(model);
    expect(counted).toEqual(planned);
    // 2 layers × (query, value) × r·(64 + 64), plus the classifier 3×64 + 3.
    expect(counted.trainable).toBe(2 * 2 * 4 * 128 + 3 * 64 + 3);
    expect(counted.total).toBe(base.total + 2 * 2 * 4 * 128);
    expect(formatParameterShare({ trainable: 295_000, total: 4_400_000 })).toBe('295k of 4.4M, 6.7 %');
    const full = trainingMemoryEstimate('full', base);
    const lora = trainingMemoryEstimate('lora', counted);
    expect(full.total).toBe(16 * base.total);
    expect(lora.total).toBe(4 * counted.total + 12 * counted.trainable);
    model.dispose();
  });
});

describe('the trainer in lora mode', () => {
  const examples: TokenizedExample[] = Array.from({ length: 24 }, (_, i) => ({
    inputIds: [0, 5 + (i % 7), 50 + (i % 5), 2],
    label: i % 3,
  }));
  const args = {
    mode: 'lora' as const,
    learning_rate: 1e-2,
    num_train_epochs: 2,
    per_device_train_batch_size: 4,
    save_steps: 3,
    seed: 4,
  };

  it('changes only the adapters and the head; checkpoints hold only them; resuming ends where a straight run does', async () => {
    const { build } = fixture('roberta');
    const model = build();
    attachLora(model, resolveLoraConfig('roberta', 'SEQ_CLS', { r: 2, lora_dropout: 0.1 }), { seed: 0 });
    const frozenName = 'roberta.encoder.layer.0.attention.self.query.weight';
    const frozenBefore = Array.from(await model.variables.get(frozenName)!.data());
    const checkpoints: string[][] = [];
    const numTensors = tf.memory().numTensors;
    await train(model, { train: examples }, args, {
      onCheckpoint: (c) => void checkpoints.push([...c.weights.keys()].sort()),
    });
    expect(tf.memory().numTensors).toBe(numTensors);
    expect(Array.from(await model.variables.get(frozenName)!.data())).toEqual(frozenBefore);
    const trainable = [...model.lora!.trainableVariables().keys()].sort();
    expect(trainable).toContain('roberta.encoder.layer.0.attention.self.query.lora_B.weight');
    expect(trainable).toContain('classifier.out_proj.weight');
    expect(checkpoints.length).toBeGreaterThan(0);
    for (const keys of checkpoints) expect(keys).toEqual(trainable);
    const straight = Array.from(
      await model.lora!.adapters.get('roberta.encoder.layer.1.attention.self.value')!.adapter.b.data(),
    );
    expect(Math.max(...straight.map(Math.abs))).toBeGreaterThan(0);

    const first = build();
    attachLora(first, resolveLoraConfig('roberta', 'SEQ_CLS', { r: 2, lora_dropout: 0.1 }), { seed: 0 });
    const signal = { aborted: false };
    const part = await train(first, { train: examples }, args, {
      signal,
      onLog: () => undefined,
      onCheckpoint: (c) => {
        if (c.globalStep === 3) signal.aborted = true;
      },
    });
    expect(part.status).toBe('stopped');
    const second = build();
    attachLora(second, resolveLoraConfig('roberta', 'SEQ_CLS', { r: 2, lora_dropout: 0.1 }), { seed: 0 });
    await train(second, { train: examples }, args, { resumeFrom: part.checkpoint });
    const resumed = Array.from(
      await second.lora!.adapters.get('roberta.encoder.layer.1.attention.self.value')!.adapter.b.data(),
    );
    expect(resumed).toEqual(straight);
    for (const m of [model, first, second]) m.dispose();
  }, 120_000);
});
