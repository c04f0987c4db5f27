// The encoders against PyTorch on a real WebGPU device (Dawn), every fixture: hidden states at every
// position, BERT's pooler output and the classifiers' logits, within 1e-4.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { FIDELITY_FIXTURES, formatMeasured, loadFixture, measureFixture } from '../unit/models-fixtures';

const TOLERANCE = 1e-4;
const table: string[] = [];

describe('fidelity to PyTorch on webgpu', () => {
  beforeAll(async () => {
    const info = await initBackend({ prefer: 'webgpu' });
    expect(info.name).toBe('webgpu');
  });

  it.each(FIDELITY_FIXTURES)('%s', async (id) => {
    expect(tf.getBackend()).toBe('webgpu');
    const fixture = loadFixture(id);
    const measured = await measureFixture(fixture);
    table.push(`${id} × webgpu: ${formatMeasured(measured)}`);
    expect(measured.lastHiddenState).toBeLessThanOrEqual(TOLERANCE);
    if (fixture.reference.pooler_output) expect(measured.poolerOutput).toBeLessThanOrEqual(TOLERANCE);
    if (fixture.reference.logits) expect(measured.logits).toBeLessThanOrEqual(TOLERANCE);
  });

  afterAll(() => {
    console.log(`max |diff| against reference.json:\n${table.join('\n')}`);
  });
});
