// The datasets store. An import writes a 'staging' record and its row chunks, then flips the record to 'ready'
// in one final transaction; a failure or cancel deletes everything the import wrote. Staging records left by
// a closed tab are removed on the next start, so a half-written dataset is never listed.
import type { DatasetConfig, FileRole, PartRows } from '../data/prepare';
import { documentText } from '../data/txt';
import type { WebTuneDatabase } from './db';
import type { DatasetMeta, DatasetPart } from './dataset-types';

function datasetRange(id: string): IDBKeyRange {
  return IDBKeyRange.bound([id, -Infinity, -Infinity], [id, Infinity, Infinity]);
}

export function newDatasetId(): string {
  return `ds-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function createStaging(db: WebTuneDatabase, meta: Omit<DatasetMeta, 'status'>): Promise<void> {
  await db.put('datasets', { ...meta, status: 'staging' });
}

export async function writeRowChunk(
  db: WebTuneDatabase,
  datasetId: string,
  part: number,
  chunk: number,
  rows: string[][],
): Promise<void> {
  await db.put('datasetRows', { datasetId, part, chunk, rows });
}

/** One chunk of a TXT file's whole text (import-dataset.ts writes them beside its rows). */
export async function writeTextChunk(
  db: WebTuneDatabase,
  datasetId: string,
  part: number,
  chunk: number,
  text: string,
): Promise<void> {
  await db.put('datasetTexts', { datasetId, part, chunk, text });
}

/**
 * The one transaction that makes an import visible. It fails if the staging record is gone (another tab swept
 * it as stale), so a dataset whose rows were deleted can never be listed.
 */
export async function commitDataset(db: WebTuneDatabase, meta: DatasetMeta): Promise<void> {
  const tx = db.transaction('datasets', 'readwrite');
  const staged = await tx.store.get(meta.id);
  if (staged?.status !== 'staging') {
    tx.abort();
    await tx.done.catch(() => {});
    throw new Error(`the import of ${meta.name} was interrupted (its staging record is gone)`);
  }
  await tx.store.put({ ...meta, status: 'ready' });
  await tx.done;
}

/** Sets which split each file of a dataset feeds (train / validation / test). */
export async function saveDatasetRoles(db: WebTuneDatabase, id: string, roles: FileRole[]): Promise<void> {
  const tx = db.transaction('datasets', 'readwrite');
  const meta = await tx.store.get(id);
  if (!meta) throw new Error(`Dataset ${id} is not stored (was it deleted?).`);
  await tx.store.put({ ...meta, parts: meta.parts.map((p, i) => ({ ...p, role: roles[i] ?? p.role })) });
  await tx.done;
}

/**
 * Deletes the dataset's record, its rows, its TXT files' texts and its tokenisation cache entries, together or
 * not at all.
 */
export async function deleteDataset(db: WebTuneDatabase, id: string): Promise<void> {
  const tx = db.transaction(['datasets', 'datasetRows', 'datasetTexts', 'tokenized'], 'readwrite');
  const tokenized = tx.objectStore('tokenized');
  const cached = await tokenized.index('datasetId').getAllKeys(id);
  await Promise.all([
    tx.objectStore('datasetRows').delete(datasetRange(id)),
    tx.objectStore('datasetTexts').delete(datasetRange(id)),
    tx.objectStore('datasets').delete(id),
    ...cached.map((key) => tokenized.delete(key)),
    tx.done,
  ]);
}

export async function listDatasets(db: WebTuneDatabase): Promise<DatasetMeta[]> {
  const all = await db.getAll('datasets');
  return all.filter((d) => d.status === 'ready').sort((a, b) => b.createdAt - a.createdAt);
}

export async function getDataset(db: WebTuneDatabase, id: string): Promise<DatasetMeta | undefined> {
  const meta = await db.get('datasets', id);
  return meta?.status === 'ready' ? meta : undefined;
}

/** Staging records older than this are left over from a closed tab or a crash (imports take seconds). */
export const STALE_STAGING_MS = 60 * 60 * 1000;

/** The lock an import holds while it writes (importDataset's holdLock). */
export const importLockName = (datasetId: string) => `webtune-import-${datasetId}`;

/**
 * Removes what interrupted imports left behind: staging records whose import holds no lock (`isImporting`
 * says which do; without it, only records older than an hour count as left over). Returns how many.
 */
export async function removeStaleStaging(
  db: WebTuneDatabase,
  isImporting?: (datasetId: string) => boolean,
  olderThanMs = STALE_STAGING_MS,
): Promise<number> {
  const all = await db.getAll('datasets');
  const stale = all.filter(
    (d) =>
      d.status === 'staging' && (isImporting ? !isImporting(d.id) : Date.now() - d.createdAt >= olderThanMs),
  );
  for (const d of stale) await deleteDataset(db, d.id);
  return stale.length;
}

export async function saveConfirmedConfig(
  db: WebTuneDatabase,
  id: string,
  config: DatasetConfig,
): Promise<void> {
  const tx = db.transaction('datasets', 'readwrite');
  const meta = await tx.store.get(id);
  if (!meta) throw new Error(`Dataset ${id} is not stored (was it deleted?).`);
  await tx.store.put({ ...meta, confirmed: config });
  await tx.done;
}

/** Every row of one part, chunk by chunk, in file order. */
export async function readPartRows(db: WebTuneDatabase, id: string, part: number): Promise<string[][]> {
  const chunks = await db.getAll(
    'datasetRows',
    IDBKeyRange.bound([id, part, -Infinity], [id, part, Infinity]),
  );
  const rows: string[][] = [];
  for (const c of chunks) for (const r of c.rows) rows.push(r);
  return rows;
}

/** A stored dataset's parts with their rows, ready for prepareDataset. */
export async function readDatasetParts(db: WebTuneDatabase, meta: DatasetMeta): Promise<PartRows[]> {
  return Promise.all(
    meta.parts.map(async (p: DatasetPart, i) => ({
      file: p.file,
      role: p.role,
      columns: p.columns,
      rows: await readPartRows(db, meta.id, i),
    })),
  );
}

/** A TXT part's whole text as one document (documentText's line breaks), or undefined when none was kept. */
export async function readPartDocument(
  db: WebTuneDatabase,
  id: string,
  part: number,
): Promise<string | undefined> {
  const chunks = await db.getAll(
    'datasetTexts',
    IDBKeyRange.bound([id, part, -Infinity], [id, part, Infinity]),
  );
  return chunks.length ? documentText(chunks.map((c) => c.text).join('')) : undefined;
}

/**
 * A stored dataset's parts with their rows and, with `documents`, each TXT file's whole text: what
 * generativeParts reads one document per file.
 */
export async function readGenerativeStoredParts(
  db: WebTuneDatabase,
  meta: DatasetMeta,
  documents: boolean,
): Promise<(PartRows & { document?: string })[]> {
  const parts = await readDatasetParts(db, meta);
  if (!documents) return parts;
  return Promise.all(
    parts.map(async (p, i) => {
      const document = meta.parts[i]?.textChunks ? await readPartDocument(db, meta.id, i) : undefined;
      return document === undefined ? p : { ...p, document };
    }),
  );
}
