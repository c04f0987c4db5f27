// The MiniLM-L6 case of issue 19: on wasm, a batch of 32 × 128 tokens needs ≈ 9 GB for its forward and backward
// pass, more than the 4 GiB the wasm heap can reach, and used to abort the module. The trainer now measures the
// cost first and runs the batch as micro-batches; the step completes and the heap stays under its ceiling.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { buildClassifier } from '../../src/core/models/build';
import type { HFConfig } from '../../src/core/models/types';
import { WASM_HEAP_MAX_BYTES } from '../../src/core/train/micro-batches';
import { train, type LogRecord } from '../../src/core/train/trainer';
import { randomBertWeights } from '../support/random-bert';
import { sharedModelDir } from '../support/shared';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('a MiniLM-L6-shaped step on wasm at batch 32 × 128 tokens', () => {
  it('trains as micro-batches instead of aborting', { timeout: 300_000 }, async () => {
    expect(tf.getBackend()).toBe('wasm');
    const dir = sharedModelDir('sentence-transformers/all-MiniLM-L6-v2');
    const config = JSON.parse(readFileSync(`${dir}/config.json`, 'utf8')) as HFConfig;
    const model = buildClassifier(config, randomBertWeights(config, 2), { numLabels: 2, seed: 0 });
    const rows = Array.from({ length: 32 }, (_, i) => ({
      inputIds: Array.from({ length: 128 }, (_, j) => 1000 + ((i * 131 + j * 7) % 20000)),
      label: i % 2,
    }));
    const notices: string[] = [];
    const logs: LogRecord[] = [];
    const before = tf.memory().numTensors;
    const result = await train(
      model,
      { train: rows },
      { per_device_train_batch_size: 32, num_train_epochs: 1, logging_steps: 1 },
      { onNotice: (m) => notices.push(m), onLog: (r) => logs.push(r) },
    );
    expect(result.status).toBe('completed');
    expect(result.globalStep).toBe(1);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/A batch of 32 × 128 tokens does not fit .* micro-batches of up to \d+/);
    const step = logs.find((r) => 'loss' in r)!;
    expect(Number.isFinite(step.loss)).toBe(true);
    expect(Number.isFinite(step.grad_norm)).toBe(true);
    const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    expect(heap).toBeLessThan(WASM_HEAP_MAX_BYTES);
    // Nothing of the step outlives it: only the model's own variables go with it.
    const weights = model.variables.size;
    model.dispose();
    expect(tf.memory().numTensors).toBe(before - weights);
  });
});
