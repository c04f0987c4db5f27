import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/core/train/checkpoint';
import { train } from '../../src/core/train/trainer';
import { snapshotWeights } from '../../src/core/train/weights';
import { createToyClassifier, toyDataset } from '../support/toy-classifier';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const trainSet = toyDataset(40, 21);
const evalSet = toyDataset(16, 22);
const args = {
  learning_rate: 0.05,
  num_train_epochs: 2,
  per_device_train_batch_size: 6,
  eval_strategy: 'steps' as const,
  eval_steps: 3,
  load_best_model_at_end: true,
  logging_steps: 2,
};

describe('checkpoint bytes', () => {
  it('round-trips every field, and a run resumed from the bytes ends with the uninterrupted weights', async () => {
    const straight = createToyClassifier({ seed: 8 });
    await train(straight, { train: trainSet, eval: evalSet }, args);

    const first = createToyClassifier({ seed: 8 });
    const signal = { aborted: false };
    const part = await train(first, { train: trainSet, eval: evalSet }, args, {
      signal,
      onLog: (r) => {
        if (r.step === 4) signal.aborted = true;
      },
    });
    const checkpoint = part.checkpoint!;
    expect(checkpoint.bestWeights).toBeDefined();
    const bytes = encodeCheckpoint(checkpoint);
    // From an unaligned copy, as a file read may give.
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const decoded = decodeCheckpoint(shifted);
    expect(decoded).toEqual(checkpoint);

    const second = createToyClassifier({ seed: 123 });
    await train(second, { train: trainSet, eval: evalSet }, args, { resumeFrom: decoded });
    const a = await snapshotWeights(straight);
    const b = await snapshotWeights(second);
    for (const [name, w] of a) expect(Array.from(b.get(name)!.data), name).toEqual(Array.from(w.data));
    for (const m of [straight, first, second]) m.dispose();
  });

  it('says what is wrong with a damaged file', async () => {
    const model = createToyClassifier();
    const part = await train(model, { train: trainSet }, {}, { signal: { aborted: true } });
    const bytes = encodeCheckpoint(part.checkpoint!);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 8), 'runs/x/checkpoint.bin')).toThrow(
      'Cannot read runs/x/checkpoint.bin: its data is shorter than its header says (truncated file?)',
    );
    expect(() => decodeCheckpoint(new TextEncoder().encode('\u0002\u0000\u0000\u0000{}'))).toThrow(
      'Cannot read the checkpoint: it is not a WebTune checkpoint',
    );
    expect(() => decodeCheckpoint(new Uint8Array([255, 255, 0, 0, 1]))).toThrow(
      'Cannot read the checkpoint: its header runs past the end (truncated file?)',
    );
    model.dispose();
  });
});
