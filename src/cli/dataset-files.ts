// Node only (the CLI and tests): a dataset file on disk as a Blob, so the same readers stream it in pieces.
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { guessMapping } from '../core/data/guess';
import {
  DEFAULT_CLEANING,
  DEFAULT_SPLIT,
  prepareDataset,
  type DatasetConfig,
  type PartRows,
} from '../core/data/prepare';
import { readAll } from '../core/data/read';
import { assignRoles } from '../core/data/roles';
import type { ReadOptions } from '../core/data/table';

export async function fileBlob(path: string): Promise<Blob> {
  return openAsBlob(path);
}

/** Reads a dataset file given by path, or a Blob with its name, into columns and rows. */
export async function readDatasetFile(
  source: string | { blob: Blob; name: string },
  options: ReadOptions = {},
) {
  if (typeof source === 'string') return readAll(await fileBlob(source), basename(source), options);
  return readAll(source.blob, source.name, options);
}

/**
 * For the CLI: dataset files by path (a training file, optionally validation/test files named so, or TXT files
 * one class each) → examples, with the guessed mapping and default cleaning and split unless given.
 */
export async function prepareDatasetFiles(paths: readonly string[], config?: Partial<DatasetConfig>) {
  const roles = assignRoles(paths.map((p) => basename(p)));
  const parts: PartRows[] = [];
  for (const [i, path] of paths.entries()) {
    const table = await readDatasetFile(path);
    parts.push({ file: basename(path), role: roles[i]!, columns: table.columns, rows: table.rows });
  }
  const first = parts[0];
  const mapping = config?.mapping ?? (first && guessMapping(first.columns, first.rows.slice(0, 1000)));
  if (!mapping)
    throw new Error(`${paths[0] ?? 'No file'}: no column looks like text; name the columns to use.`);
  return prepareDataset(parts, {
    mapping,
    cleaning: config?.cleaning ?? DEFAULT_CLEANING,
    split: config?.split ?? DEFAULT_SPLIT,
  });
}
