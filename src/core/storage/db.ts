// WebTune's IndexedDB database. Each version adds stores in its own upgrade step, so later stores (runs,
// metric logs, checkpoints, model cache) are appended here without touching the datasets.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DatasetMeta, RowChunk, TextChunk } from './dataset-types';
import type { CheckpointRecord, RunLogRecord, RunRecord } from './run-types';
import type { TokenizedRecord } from './tokenized';

export const DB_NAME = 'webtune';
export const DB_VERSION = 4;

export interface WebTuneDB extends DBSchema {
  datasets: { key: string; value: DatasetMeta };
  /** Rows in chunks, keyed [datasetId, part, chunk], so one range covers a dataset or one of its files. */
  datasetRows: { key: [string, number, number]; value: RowChunk };
  /**
   * TXT files read by lines: the file's whole decoded text in chunks, keyed like the rows, for generative data
   * read one document per file (blank lines are part of a document but never rows).
   */
  datasetTexts: { key: [string, number, number]; value: TextChunk };
  /** One record per training run: settings, status, latest numbers, checkpoint references. */
  runs: { key: string; value: RunRecord };
  /** log_history records keyed [runId, index in log_history], so a resume overwrites what it redoes. */
  runLogs: { key: [string, number]; value: RunLogRecord };
  /** Per run: 'last' (everything to resume) and 'best' (the best evaluation's weights), keyed [runId, kind]. */
  checkpoints: { key: [string, string]; value: CheckpointRecord };
  /** Tokenised train / validation sets, one entry per dataset (the latest tokenizer × max length). */
  tokenized: { key: string; value: TokenizedRecord; indexes: { datasetId: string } };
}

export type WebTuneDatabase = IDBPDatabase<WebTuneDB>;

const UPGRADES: ((db: IDBPDatabase<WebTuneDB>) => void)[] = [
  (db) => {
    db.createObjectStore('datasets', { keyPath: 'id' });
    db.createObjectStore('datasetRows', { keyPath: ['datasetId', 'part', 'chunk'] });
  },
  (db) => {
    db.createObjectStore('runs', { keyPath: 'id' });
    db.createObjectStore('runLogs', { keyPath: ['runId', 'index'] });
    db.createObjectStore('checkpoints', { keyPath: ['runId', 'kind'] });
  },
  (db) => {
    db.createObjectStore('tokenized', { keyPath: 'key' }).createIndex('datasetId', 'datasetId');
  },
  (db) => {
    db.createObjectStore('datasetTexts', { keyPath: ['datasetId', 'part', 'chunk'] });
  },
];

export function openWebTuneDB(name = DB_NAME): Promise<WebTuneDatabase> {
  const opening: Promise<WebTuneDatabase> = openDB<WebTuneDB>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      for (let v = oldVersion; v < UPGRADES.length; v++) UPGRADES[v]!(db);
    },
    // A newer WebTune (another tab, after an update) wants to add stores: step aside instead of blocking it.
    blocking() {
      void opening.then((db) => db.close());
    },
  });
  return opening;
}
