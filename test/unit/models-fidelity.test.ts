// The encoders against PyTorch: last_hidden_state at every position (padding included), BERT's pooler_output
// and the classifiers' logits, on the cpu and wasm backends, within 1e-4.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { FIDELITY_FIXTURES, formatMeasured, loadFixture, measureFixture } from './models-fixtures';

const TOLERANCE = 1e-4;
const table: string[] = [];

describe.each(['cpu', 'wasm'] as const)('fidelity to PyTorch on %s', (backend) => {
  it.each(FIDELITY_FIXTURES)('%s', async (id) => {
    await initBackend({ prefer: backend });
    expect(tf.getBackend()).toBe(backend);
    const fixture = loadFixture(id);
    const before = tf.memory().numTensors;
    const measured = await measureFixture(fixture);
    expect(tf.memory().numTensors).toBe(before);
    table.push(`${id} × ${backend}: ${formatMeasured(measured)}`);
    expect(measured.lastHiddenState).toBeLessThanOrEqual(TOLERANCE);
    if (fixture.reference.pooler_output) expect(measured.poolerOutput).toBeLessThanOrEqual(TOLERANCE);
    if (fixture.reference.logits) expect(measured.logits).toBeLessThanOrEqual(TOLERANCE);
  });
});

afterAll(() => {
  console.log(`max |diff| against reference.json:\n${table.join('\n')}`);
});

describe('the fidelity check tells a wrong encoder apart', () => {
  it('bert-tiny-mlm with the tanh GELU instead of the exact one misses the reference by more than 1e-4', async () => {
    await initBackend({ prefer: 'cpu' });
    const fixture = loadFixture('webtune/bert-tiny-mlm');
    const measured = await measureFixture({
      ...fixture,
      config: { ...fixture.config, hidden_act: 'gelu_new' },
    });
    table.push(`webtune/bert-tiny-mlm with gelu_new (wrong on purpose) × cpu: ${formatMeasured(measured)}`);
    expect(measured.lastHiddenState).toBeGreaterThan(TOLERANCE);
  });
});
