// The engine's tf.Variables become the TensorMap the export writes, bit for bit.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifierWeights, ExportReadError } from '../../src/core/export/classifier-weights';
import { writeSafetensors } from '../../src/core/export/safetensors-writer';
import { readSafetensors } from '../../src/core/hub/safetensors';
import { readFixtureModel } from '../support/export-inputs';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('classifierWeights', () => {
  const variables = new Map<string, tf.Variable>();
  afterAll(() => variables.forEach((v) => v.dispose()));

  it('reads every variable under its name, shape and exact bits', async () => {
    const { weights } = readFixtureModel('webtune/tiny-random-distilbert-cls');
    for (const [name, { shape, data }] of weights)
      variables.set(name, tf.variable(tf.tensor(data, shape), true, name));
    const read = await classifierWeights(variables);
    const back = readSafetensors(writeSafetensors(read));
    expect([...back.keys()].sort()).toEqual([...weights.keys()].sort());
    for (const [name, { shape, data }] of weights) {
      const got = back.get(name)!;
      expect(got.shape, name).toEqual(shape);
      expect(
        Buffer.compare(
          Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength),
          Buffer.from(data.buffer, data.byteOffset, data.byteLength),
        ),
        name,
      ).toBe(0);
    }
  });

  it('refuses a non-float variable and a disposed one, naming it', async () => {
    const ints = tf.variable(tf.tensor1d([1, 2], 'int32'), false, 'ids');
    await expect(classifierWeights(new Map([['bert.ids', ints]]))).rejects.toThrow(ExportReadError);
    await expect(classifierWeights(new Map([['bert.ids', ints]]))).rejects.toThrow(/bert\.ids is int32/);
    ints.dispose();
    await expect(classifierWeights(new Map([['bert.ids', ints]]))).rejects.toThrow(/bert\.ids was disposed/);
  });
});
