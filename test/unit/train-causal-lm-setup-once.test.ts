// A decoder's data is read and tokenised once for the time estimate and the Start that follows it
// (TrainingSession's CausalLmSetupMemo), in Node on the wasm backend and fake-indexeddb with the tiny GPT-2
// fixture: the run after an estimate of the same settings posts no 'tokenizing' phase and trains on the
// examples the estimate counted; a changed data option is tokenised again.
import 'fake-indexeddb/auto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { openWebTuneDB } from '../../src/core/storage/db';
import { importDataset } from '../../src/core/storage/import-dataset';
import { loadModel, type LoadedModel } from '../../src/worker/model-session';
import type { MeasureStepTimeRequest, StartTrainingRequest, TrainingEvent } from '../../src/worker/protocol';
import { TrainingSession } from '../../src/worker/training-session';
import { sharedModelDir, sharedPath } from '../support/shared';

const ID = 'webtune/tiny-random-gpt2';
let loaded: LoadedModel;
let datasetId: string;
const events: TrainingEvent[] = [];
let session: TrainingSession;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  const dir = sharedModelDir(ID);
  const files = readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (!entry.isFile()) return [];
    const name = entry.name;
    const file = new File([readFileSync(join(dir, name))], name);
    Object.defineProperty(file, 'webkitRelativePath', { value: `tiny/${name}` });
    return file;
  });
  loaded = await loadModel({ kind: 'files', files }, () => {});
  // 20 AG News texts as a plain-text file, one document a line (the CSV's label and quotes taken off).
  const texts = readFileSync(sharedPath('datasets', 'ag_news', 'test.csv'), 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1, 21)
    .map((line) => line.replace(/,[^,]+$/, '').replace(/^"|"$/g, ''));
  const db = await openWebTuneDB();
  const meta = await importDataset(db, [{ name: 'news.txt', blob: new Blob([`${texts.join('\n')}\n`]) }]);
  datasetId = meta.id;
  session = new TrainingSession({
    post: (event) => events.push(event),
    currentModel: () => loaded,
    reloadModel: () => Promise.reject(new Error('no reload in this test')),
    backend: () => undefined,
  });
});

const BLOCK = { block_size: 32, packing: true };
const measure = (id: number, causalLm: MeasureStepTimeRequest['causalLm']): MeasureStepTimeRequest => ({
  type: 'measure-step-time',
  id,
  datasetId,
  args: { per_device_train_batch_size: 8, mode: 'full' },
  maxLength: 32,
  causalLm,
});
const start = (causalLm: StartTrainingRequest['causalLm']): StartTrainingRequest => ({
  type: 'start-training',
  datasetId,
  args: { num_train_epochs: 1, per_device_train_batch_size: 8, eval_strategy: 'no' },
  maxLength: 32,
  modelSource: { kind: 'files' },
  causalLm,
});
const tokenizing = () => events.filter((e) => e.type === 'run-phase' && e.phase === 'tokenizing').length;
const lastRun = () => {
  const last = events.filter((e) => e.type === 'run-update').at(-1);
  return last?.type === 'run-update' ? last.run : undefined;
};

describe("a decoder's data set-up", () => {
  it('is made once for the estimate and the Start after it, and again for other data options', async () => {
    const timing = await session.measureStepTime(measure(1, BLOCK));
    expect(timing.trainExamples).toBeGreaterThan(0);
    await session.start(start(BLOCK));
    expect(events.some((e) => e.type === 'training-error')).toBe(false);
    expect(lastRun()?.status).toBe('finished');
    expect(lastRun()?.trainExamples).toBe(timing.trainExamples);
    expect(tokenizing()).toBe(0);

    // Another block size makes other examples: read and tokenised again, and counted anew.
    const other = await session.measureStepTime(measure(2, { ...BLOCK, block_size: 16 }));
    expect(other.trainExamples).toBeGreaterThan(timing.trainExamples ?? 0);
    await session.start(start({ ...BLOCK, block_size: 64 }));
    expect(tokenizing()).toBe(1);
    expect(lastRun()?.status).toBe('finished');
  });
});
