// LoRA on a real WebGPU device (Dawn): PEFT's lora-init adapter on the tiny Llama fixture gives PEFT's loss, and
// five adapter-only AdamW steps follow reference.json's (its lora entry), as on cpu and wasm (test/unit).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { buildFixture, loadDecoderFixture } from '../unit/decoder-fixtures';
import { attachFixtureAdapter, batchLoss, loraReference, trainAdapterSteps } from '../unit/lora-fixtures';

describe('LoRA on webgpu', () => {
  it('webtune/tiny-random-llama: loss with lora-init and five adapter steps as PEFT', async () => {
    const info = await initBackend({ prefer: 'webgpu' });
    expect(info.name).toBe('webgpu');
    const fixture = loadDecoderFixture('webtune/tiny-random-llama');
    const reference = loraReference(fixture);
    const model = buildFixture(fixture);
    attachFixtureAdapter(model, fixture);
    const loss = await batchLoss(model, fixture);
    const steps = await trainAdapterSteps(model, fixture);
    model.dispose();
    const expected = reference.train_5_steps_loss_before_step;
    const relative = Math.max(...steps.map((x, i) => Math.abs(x - expected[i]!) / Math.abs(expected[i]!)));
    console.log(
      `LoRA on webgpu, tiny-random-llama: loss |diff| ${Math.abs(loss - reference.loss_with_adapter).toExponential(2)}, ` +
        `5 steps max rel ${relative.toExponential(2)}`,
    );
    expect(Math.abs(loss - reference.loss_with_adapter)).toBeLessThanOrEqual(1e-5);
    expect(relative).toBeLessThanOrEqual(1e-4);
    expect(tf.getBackend()).toBe('webgpu');
  }, 1_200_000);
});
