// The tokenisation cache: a run tokenises its dataset once per dataset × tokenizer × max length, and later runs
// (another learning rate, a resume after the tab was closed) read the ids back. One entry per dataset is kept,
// so switching tokenizers does not pile up copies; deleting the dataset deletes its entry.
import type { PackedExamples } from '../train/packed-tokens';
import { TOKENIZED_FORMAT } from '../train/tokenize-examples';
import type { WebTuneDatabase } from './db';
import type { DatasetMeta } from './dataset-types';

export interface TokenizedRecord {
  key: string;
  datasetId: string;
  createdAt: number;
  /** The train and validation sets, in the order the prepared dataset lists them. */
  sets: PackedExamples[];
}

/**
 * What determines the tokenised sets: the dataset (rows never change after import), the roles of its files
 * and its confirmed mapping, cleaning and split, the tokenizer's files and the maximum length. SHA-256 of those.
 */
export async function tokenizedKey(
  dataset: DatasetMeta,
  tokenizerFiles: Readonly<Record<string, string>>,
  maxLength: number,
): Promise<string> {
  const described = JSON.stringify({
    format: TOKENIZED_FORMAT,
    dataset: dataset.id,
    createdAt: dataset.createdAt,
    roles: dataset.parts.map((part) => part.role),
    config: dataset.confirmed ?? null,
    maxLength,
    tokenizer: Object.keys(tokenizerFiles)
      .sort()
      .map((name) => [name, tokenizerFiles[name]]),
  });
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(described));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function getTokenized(db: WebTuneDatabase, key: string): Promise<TokenizedRecord | undefined> {
  return db.get('tokenized', key);
}

/** Stores the entry and, in the same transaction, drops the dataset's older entries. */
export async function putTokenized(db: WebTuneDatabase, record: TokenizedRecord): Promise<void> {
  const tx = db.transaction('tokenized', 'readwrite');
  const older = await tx.store.index('datasetId').getAllKeys(record.datasetId);
  await Promise.all([
    ...older.filter((key) => key !== record.key).map((key) => tx.store.delete(key)),
    tx.store.put(record),
    tx.done,
  ]);
}

export async function countTokenized(db: WebTuneDatabase, datasetId: string): Promise<number> {
  return db.countFromIndex('tokenized', 'datasetId', datasetId);
}
