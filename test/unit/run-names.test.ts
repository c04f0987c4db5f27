// Default run names tell runs apart: model, dataset, the settings that differ from the latest earlier run of the
// same model on the same dataset, and the start time in the locale asked for.
import { describe, expect, it } from 'vitest';
import { defaultRunName, type NewRun } from '../../src/core/storage/run-names';
import type { RunRecord } from '../../src/core/storage/run-types';
import { DEFAULT_TRAINING_ARGUMENTS } from '../../src/core/train/arguments';

const at = Date.UTC(2026, 0, 5, 14, 7);
const run = (over: Partial<NewRun> = {}): NewRun => ({
  modelName: 'prajjwal1/bert-tiny',
  datasetId: 'd1',
  datasetName: 'reviews.csv',
  args: DEFAULT_TRAINING_ARGUMENTS,
  maxLength: 128,
  createdAt: at,
  ...over,
});
const stored = (r: NewRun, createdAt: number) => ({ ...r, createdAt }) as unknown as RunRecord;
// The time as the locale writes it (the test does not depend on the machine's time zone's offset).
const time = (locale: string) =>
  new Date(at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });

describe('default run names', () => {
  it('name the model without its organisation, the dataset and the time for a first run', () => {
    expect(defaultRunName(run(), [], 'en-GB')).toBe(`bert-tiny · reviews.csv · ${time('en-GB')}`);
    expect(defaultRunName(run(), [], 'en-US')).toBe(`bert-tiny · reviews.csv · ${time('en-US')}`);
    // A first run in another mode than full says so.
    const lora = run({ args: { ...DEFAULT_TRAINING_ARGUMENTS, mode: 'lora' } });
    expect(defaultRunName(lora, [], 'en-GB')).toBe(`bert-tiny · reviews.csv · mode lora · ${time('en-GB')}`);
  });

  it('add what differs from the latest earlier run of the same model and dataset (at most two settings)', () => {
    const older = stored(run({ args: { ...DEFAULT_TRAINING_ARGUMENTS, learning_rate: 1 } }), at - 7200_000);
    const latest = stored(run(), at - 3600_000);
    const otherData = stored(
      run({ datasetId: 'd2', args: { ...DEFAULT_TRAINING_ARGUMENTS, seed: 7 } }),
      at - 60_000,
    );
    const next = run({ args: { ...DEFAULT_TRAINING_ARGUMENTS, learning_rate: 1e-4 }, maxLength: 64 });
    expect(defaultRunName(next, [older, otherData, latest], 'en-GB')).toBe(
      `bert-tiny · reviews.csv · learning_rate 0.0001 · max_length 64 · ${time('en-GB')}`,
    );
    const three = run({
      args: { ...DEFAULT_TRAINING_ARGUMENTS, seed: 1, num_train_epochs: 9, weight_decay: 0.5 },
    });
    expect(defaultRunName(three, [latest], 'en-GB')).toBe(
      `bert-tiny · reviews.csv · num_train_epochs 9 · weight_decay 0.5 · ${time('en-GB')}`,
    );
    // The same settings again: only the time tells it apart.
    expect(defaultRunName(run(), [latest], 'en-GB')).toBe(`bert-tiny · reviews.csv · ${time('en-GB')}`);
  });
});
