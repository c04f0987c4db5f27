// One import, all or nothing: reads each file with the streaming readers, writes row chunks under a staging
// record as they come, checks the result, and makes it visible in one final write. Any failure (bad file,
// cancel, QuotaExceededError) deletes what this import wrote; datasets stored earlier are never touched.
import { DataError, toDataErrorInfo } from '../data/errors';
import { formatOf, type FileFormat } from '../data/format';
import { guessMapping, hasTextLikeColumn } from '../data/guess';
import { openTable } from '../data/read';
import { assignRoles, datasetName } from '../data/roles';
import type { FileRole } from '../data/prepare';
import { availableBytes } from './quota';
import {
  commitDataset,
  createStaging,
  deleteDataset,
  importLockName,
  newDatasetId,
  writeRowChunk,
  writeTextChunk,
} from './datasets';
import type { WebTuneDatabase } from './db';
import type { DatasetMeta, DatasetPart } from './dataset-types';

export interface ImportFile {
  name: string;
  blob: Blob;
  /** Defaults to the role the file name suggests. */
  role?: FileRole;
}

export interface ImportProgress {
  file: string;
  bytesRead: number;
  totalBytes: number;
  rows: number;
}

export interface ImportOptions {
  signal?: AbortSignal;
  skipBrokenLines?: boolean;
  onProgress?: (progress: ImportProgress) => void;
  /** Space the stored rows take per byte of file, for the up-front quota check. */
  storageFactor?: number;
  /**
   * Runs the import while holding the lock named for it (a Web Lock in the browser), so a later start can tell
   * an import in progress in another tab from the leftovers of one a crash ended.
   */
  holdLock?: <T>(name: string, work: () => Promise<T>) => Promise<T>;
}

const PREVIEW_ROWS = 5;
const SAMPLE_ROWS = 1000;

export async function importDataset(
  db: WebTuneDatabase,
  files: readonly ImportFile[],
  options: ImportOptions = {},
): Promise<DatasetMeta> {
  if (files.length === 0) throw new Error('No files to import.');
  for (const f of files) formatOf(f.name); // refuse unsupported extensions before writing anything
  const totalBytes = files.reduce((s, f) => s + f.blob.size, 0);
  const free = await availableBytes();
  // Stored rows take about the text's size; Parquet is compressed, so its text is several times the file; a
  // TXT file is kept twice, as rows and as its whole text (one document per file).
  const FACTORS: Partial<Record<FileFormat, number>> = { parquet: 3, txt: 2.4 };
  const factor = (f: ImportFile) => options.storageFactor ?? FACTORS[formatOf(f.name)] ?? 1.2;
  const needed = files.reduce((s, f) => s + f.blob.size * factor(f), 0);
  if (free !== undefined && needed > free) {
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    throw new DataError({
      code: 'too-large',
      file: files.map((f) => f.name).join(', '),
      message: `${files.map((f) => f.name).join(', ')} is too large for the browser's storage quota: it needs about ${mb(needed)} and ${mb(free)} is available. Delete a stored dataset or free disk space.`,
    });
  }

  const id = newDatasetId();
  const guessed = assignRoles(files.map((f) => f.name));
  const roles = files.map((f, i) => f.role ?? guessed[i]!);
  const meta: DatasetMeta = {
    id,
    name: datasetName(files.map((f, i) => ({ name: f.name, role: roles[i]! }))),
    status: 'staging',
    createdAt: Date.now(),
    parts: [],
    rowCount: 0,
    preview: [],
  };
  const hold = options.holdLock ?? ((_name, work) => work());
  return hold(importLockName(id), () => stage(db, files, meta, roles, totalBytes, options));
}

async function stage(
  db: WebTuneDatabase,
  files: readonly ImportFile[],
  meta: DatasetMeta,
  roles: FileRole[],
  totalBytes: number,
  options: ImportOptions,
): Promise<DatasetMeta> {
  const { id } = meta;
  let current = files[0]!.name;
  try {
    await createStaging(db, meta);
    let bytesBefore = 0;
    const samples: { columns: string[]; rows: string[][] }[] = [];
    for (const [p, file] of files.entries()) {
      current = file.name;
      const table = await openTable(file.blob, file.name, {
        signal: options.signal,
        skipBrokenLines: options.skipBrokenLines,
      });
      // TXT class files are all training rows, whatever their names say.
      const role: FileRole = table.labelledByFileName ? 'train' : roles[p]!;
      const part: DatasetPart = {
        file: file.name,
        role,
        format: table.format,
        bytes: file.blob.size,
        columns: [],
        rowCount: 0,
        chunks: 0,
      };
      const sample: string[][] = [];
      for await (const batch of table.batches) {
        if (options.signal?.aborted)
          throw new DataError({
            code: 'cancelled',
            file: file.name,
            message: `The import of ${file.name} was cancelled.`,
          });
        await writeRowChunk(db, id, p, part.chunks, batch.rows);
        part.chunks++;
        if (batch.text !== undefined) {
          part.textChunks ??= 0;
          await writeTextChunk(db, id, p, part.textChunks, batch.text);
          part.textChunks++;
        }
        part.rowCount += batch.rows.length;
        part.columns = [...batch.columns];
        for (const row of batch.rows) if (sample.length < SAMPLE_ROWS) sample.push(row);
        options.onProgress?.({
          file: file.name,
          bytesRead: bytesBefore + batch.bytesRead,
          totalBytes,
          rows: meta.rowCount + part.rowCount,
        });
      }
      for (const row of sample) while (row.length < part.columns.length) row.push('');
      if (!hasTextLikeColumn(part.columns, sample)) {
        throw new DataError({
          code: 'no-text-column',
          file: file.name,
          message: `${file.name} has no column that could be text: ${part.columns.map((c) => `'${c}'`).join(', ')} hold only numbers or nothing.`,
        });
      }
      samples.push({ columns: part.columns, rows: sample });
      meta.parts.push(part);
      meta.rowCount += part.rowCount;
      bytesBefore += file.blob.size;
    }
    const first = samples[0]!;
    meta.preview = first.rows.slice(0, PREVIEW_ROWS);
    meta.guessedMapping = guessMapping(first.columns, first.rows);
    await commitDataset(db, meta);
    return { ...meta, status: 'ready' };
  } catch (err) {
    try {
      await deleteDataset(db, id);
    } catch {
      // The record stays 'staging' and is removed at the next start (removeStaleStaging): its lock is free.
    }
    // A QuotaExceededError becomes the 'quota' error that says the import was rolled back.
    throw err instanceof DataError ? err : new DataError(toDataErrorInfo(err, current));
  }
}
