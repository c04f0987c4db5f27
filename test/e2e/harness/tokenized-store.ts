// Runs in Chromium (served by the Vite dev server): the tokenisation cache on the real IndexedDB, in databases of
// its own, and what it read back, for tokenized-store.test.ts to check.
import { deleteDB, openDB } from 'idb';
import { DB_NAME, openWebTuneDB } from '../../../src/core/storage/db';
import type { DatasetMeta } from '../../../src/core/storage/dataset-types';
import { commitDataset, createStaging, deleteDataset, getDataset } from '../../../src/core/storage/datasets';
import {
  countTokenized,
  getTokenized,
  putTokenized,
  tokenizedKey,
} from '../../../src/core/storage/tokenized';
import { packExamples, unpackExamples } from '../../../src/core/train/packed-tokens';

function dataset(id: string): Omit<DatasetMeta, 'status'> {
  return {
    id,
    name: `${id}.csv`,
    createdAt: 1_700_000_000_000,
    parts: [
      {
        file: `${id}.csv`,
        role: 'train',
        format: 'csv',
        bytes: 10,
        columns: ['text', 'label'],
        rowCount: 2,
        chunks: 0,
      },
    ],
    rowCount: 2,
    preview: [],
  };
}

const rows = [
  { inputIds: [101, 7592, 102], tokenTypeIds: [0, 0, 0], label: 1 },
  { inputIds: [101, 2023, 102, 2008, 102], tokenTypeIds: [0, 0, 0, 1, 1], label: 0 },
];
const files = { 'tokenizer.json': '{"model":{}}', 'vocab.txt': '[PAD]\n[UNK]' };

export async function exerciseTokenizedStore(name: string) {
  await deleteDB(name);
  const db = await openWebTuneDB(name);
  await createStaging(db, dataset('ds-1'));
  await commitDataset(db, { ...dataset('ds-1'), status: 'ready' });
  await createStaging(db, dataset('ds-2'));
  await commitDataset(db, { ...dataset('ds-2'), status: 'ready' });
  const meta = (await getDataset(db, 'ds-1'))!;

  const key = await tokenizedKey(meta, files, 64);
  const keys = {
    same: (await tokenizedKey({ ...meta }, { ...files }, 64)) === key,
    otherLength: (await tokenizedKey(meta, files, 32)) !== key,
    otherTokenizer: (await tokenizedKey(meta, { ...files, 'vocab.txt': '[PAD]' }, 64)) !== key,
    otherRoles:
      (await tokenizedKey({ ...meta, parts: [{ ...meta.parts[0]!, role: 'validation' }] }, files, 64)) !==
      key,
    otherDataset: (await tokenizedKey({ ...meta, id: 'ds-2' }, files, 64)) !== key,
  };

  await putTokenized(db, {
    key,
    datasetId: 'ds-1',
    createdAt: 1,
    sets: [packExamples(rows), packExamples([])],
  });
  const stored = await getTokenized(db, key);
  const readBack = stored?.sets.map(unpackExamples);
  const typed = stored ? stored.sets[0]!.ids instanceof Int32Array : false;

  const key32 = await tokenizedKey(meta, files, 32);
  await putTokenized(db, {
    key: key32,
    datasetId: 'ds-1',
    createdAt: 2,
    sets: [packExamples(rows.slice(0, 1))],
  });
  const afterReplace = {
    count: await countTokenized(db, 'ds-1'),
    oldGone: (await getTokenized(db, key)) === undefined,
    newRows: (await getTokenized(db, key32))?.sets.map(unpackExamples)[0]?.length,
  };
  const key2 = await tokenizedKey((await getDataset(db, 'ds-2'))!, files, 64);
  await putTokenized(db, { key: key2, datasetId: 'ds-2', createdAt: 3, sets: [packExamples(rows)] });
  await deleteDataset(db, 'ds-1');
  const afterDelete = { ds1: await countTokenized(db, 'ds-1'), ds2: await countTokenized(db, 'ds-2') };
  db.close();
  await deleteDB(name);
  return { keys, readBack, typed, afterReplace, afterDelete };
}

/** A database made by the previous version (datasets and runs, no cache) opens with its data and gains the store. */
export async function exerciseUpgradeFromVersion2(name: string) {
  await deleteDB(name);
  const old = await openDB(name, 2, {
    upgrade(db) {
      db.createObjectStore('datasets', { keyPath: 'id' });
      db.createObjectStore('datasetRows', { keyPath: ['datasetId', 'part', 'chunk'] });
      db.createObjectStore('runs', { keyPath: 'id' });
      db.createObjectStore('runLogs', { keyPath: ['runId', 'index'] });
      db.createObjectStore('checkpoints', { keyPath: ['runId', 'kind'] });
    },
  });
  await old.put('datasets', { ...dataset('ds-old'), status: 'ready' });
  old.close();
  const db = await openWebTuneDB(name);
  const result = {
    version: db.version,
    stores: [...db.objectStoreNames].sort(),
    kept: (await getDataset(db, 'ds-old'))?.name,
    defaultName: DB_NAME,
  };
  db.close();
  await deleteDB(name);
  return result;
}
