// The worker's time estimate before Start (TrainingSession.measureStepTime) in Node, on the cpu backend and
// fake-indexeddb: a real stored dataset and the fixture encoder, set up as a run sets them up. It must time a
// positive pace, free every tensor it made, answer only the newest of queued requests, and refuse while a run
// starts or trains; the run then trains as usual.
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { DEFAULT_CLEANING, DEFAULT_SPLIT } from '../../src/core/data/prepare';
import { saveConfirmedConfig } from '../../src/core/storage/datasets';
import { openWebTuneDB } from '../../src/core/storage/db';
import { importDataset } from '../../src/core/storage/import-dataset';
import { loadModel, type LoadedModel } from '../../src/worker/model-session';
import type { MeasureStepTimeRequest, TrainingEvent } from '../../src/worker/protocol';
import { TrainingSession } from '../../src/worker/training-session';
import { sharedModelDir, sharedPath } from '../support/shared';

const ID = 'webtune/tiny-random-bert-cls';
let loaded: LoadedModel;
let datasetId: string;
const events: TrainingEvent[] = [];
let session: TrainingSession;

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
  const dir = sharedModelDir(ID);
  const files = readdirSync(dir).map((name) => {
    const file = new File([readFileSync(join(dir, name))], name);
    Object.defineProperty(file, 'webkitRelativePath', { value: `tiny/${name}` });
    return file;
  });
  loaded = await loadModel({ kind: 'files', files }, () => {});
  // 40 labelled rows of SST-2: 36 train and 4 validation under the default split.
  const lines = readFileSync(sharedPath('datasets', 'sst2', 'dev.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  const db = await openWebTuneDB();
  const meta = await importDataset(db, [
    { name: 'sst2-40.csv', blob: new Blob([`${lines.slice(0, 41).join('\n')}\n`]) },
  ]);
  datasetId = meta.id;
  await saveConfirmedConfig(db, datasetId, {
    mapping: { text: 'text', label: 'label' },
    cleaning: DEFAULT_CLEANING,
    split: DEFAULT_SPLIT,
  });
  session = new TrainingSession({
    post: (event) => events.push(event),
    currentModel: () => loaded,
    reloadModel: () => Promise.reject(new Error('no reload in this test')),
    backend: () => undefined,
  });
});

const request = (id: number, args: MeasureStepTimeRequest['args']): MeasureStepTimeRequest => ({
  type: 'measure-step-time',
  id,
  datasetId,
  args,
  maxLength: 32,
  ...(args.mode === 'lora' ? { lora: { r: 4 } } : {}),
});

describe('measure-step-time in the training worker', () => {
  it('times a positive pace on the real data, for full and LoRA, and frees every tensor', async () => {
    const tensors = tf.memory().numTensors;
    for (const mode of ['full', 'lora'] as const) {
      const timing = await session.measureStepTime(request(1, { per_device_train_batch_size: 8, mode }));
      expect(Number.isFinite(timing.secondsPerMicroBatch) && timing.secondsPerMicroBatch > 0).toBe(true);
      expect(timing).toMatchObject({ batchSize: 8, trainExamples: 36, evalExamples: 4, backend: 'cpu' });
      expect(tf.memory().numTensors).toBe(tensors);
    }
    // Nothing of a run: no phase, no run record.
    expect(events).toEqual([]);
  });

  it('answers only the newest of queued requests', async () => {
    const older = session.measureStepTime(request(2, { per_device_train_batch_size: 4, mode: 'full' }));
    const newer = session.measureStepTime(request(3, { per_device_train_batch_size: 8, mode: 'full' }));
    await expect(older).rejects.toThrow(/Superseded/);
    expect((await newer).batchSize).toBe(8);
  });

  it('refuses while a run starts and trains; the run then trains to its end', async () => {
    const started = session.start({
      type: 'start-training',
      datasetId,
      args: { num_train_epochs: 1, per_device_train_batch_size: 16, eval_strategy: 'no' },
      maxLength: 32,
      modelSource: { kind: 'files' },
    });
    await expect(
      session.measureStepTime(request(4, { per_device_train_batch_size: 8, mode: 'full' })),
    ).rejects.toThrow(/A run is training/);
    await started;
    const last = events.filter((e) => e.type === 'run-update').at(-1);
    expect(last?.type === 'run-update' && last.run.status).toBe('finished');
    expect(events.some((e) => e.type === 'training-error')).toBe(false);
    // Once it has ended, the estimate is offered again.
    const timing = await session.measureStepTime(
      request(5, { per_device_train_batch_size: 8, mode: 'full' }),
    );
    expect(timing.secondsPerMicroBatch).toBeGreaterThan(0);
  });
});
