// A folder of .txt files as causal-LM data, one document per file: what
// `datasets.load_dataset("text", data_dir=DIR, sample_by="document")` reads, each file's whole text (blank lines
// and the last line break kept, line breaks as Python's universal newlines make them: core/data/txt.ts) in the
// sorted order of datasets' glob, hidden files skipped as datasets skips them. Only the folder's own .txt files
// count, and their names pick no split (datasets would read train*/test* names as splits): the validation
// documents are a folder (or file) of their own, given with --validation.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError } from '../core/data/errors';
import { readTextDocument } from '../core/data/txt';
import { fileBlob } from './dataset-files';
import { CliError } from './fail';
import type { DataTable } from './prepare-data';

export function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** The paths of the folder's .txt files, sorted by code point (UTF-8 bytes sort the same), as Python sorts. */
export function textFolderFiles(dir: string): string[] {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name.toLowerCase().endsWith('.txt'))
    .map((e) => e.name)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (names.length === 0)
    throw new CliError(
      `Data folder ${dir} holds no .txt files (a folder is read as one document per .txt file in it)`,
    );
  return names.map((name) => join(dir, name));
}

/** Each .txt file of the folder as a table of one `text` row, its whole text; a file that cannot be is named. */
export async function readTextFolder(dir: string): Promise<DataTable[]> {
  const tables: DataTable[] = [];
  for (const path of textFolderFiles(dir)) {
    let document: string;
    try {
      document = await readTextDocument(await fileBlob(path), path);
    } catch (error) {
      if (error instanceof DataError) throw new CliError(error.message);
      throw error;
    }
    tables.push({ file: basename(path), columns: ['text'], rows: [[document]] });
  }
  return tables;
}
