// Which reader a file needs, from its extension; anything else is refused by name.
import { DataError } from './errors';

export type FileFormat = 'csv' | 'tsv' | 'json' | 'jsonl' | 'parquet' | 'txt';

const EXTENSIONS: Record<string, FileFormat> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  json: 'json',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  parquet: 'parquet',
  txt: 'txt',
};

export const SUPPORTED_EXTENSIONS = Object.keys(EXTENSIONS).map((e) => `.${e}`);

export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

/** The file's name without its folder and its last extension: `data/positive.txt` → `positive`. */
export function baseName(fileName: string): string {
  const name = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? name : name.slice(0, dot);
}

export function formatOf(fileName: string): FileFormat {
  const ext = extensionOf(fileName);
  const format = EXTENSIONS[ext];
  if (!format) {
    throw new DataError({
      code: 'unsupported-extension',
      file: fileName,
      message:
        `${fileName}: ${ext ? `'.${ext}' files are` : 'a file without an extension is'} not supported. ` +
        `Use one of ${SUPPORTED_EXTENSIONS.join(', ')}.`,
    });
  }
  return format;
}
