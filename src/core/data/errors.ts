// Every problem with an input file becomes a DataError: a code the UI can act on, and a message that names the
// file and, where there is one, the line or row.
export type DataErrorCode =
  | 'unsupported-extension'
  | 'binary'
  | 'encoding'
  | 'unclosed-quote'
  | 'malformed-quote'
  | 'malformed-json'
  | 'broken-jsonl-lines'
  | 'header-only'
  | 'empty-file'
  | 'no-text-column'
  | 'bad-parquet'
  | 'too-large'
  | 'quota'
  | 'cancelled'
  | 'storage';

/** The plain-object form that crosses the worker boundary. */
export interface DataErrorInfo {
  code: DataErrorCode;
  message: string;
  file?: string;
  line?: number;
  row?: number;
  /** For broken JSONL lines: how many there are (the import can be retried skipping them). */
  count?: number;
}

export class DataError extends Error {
  readonly code: DataErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly row?: number;
  readonly count?: number;

  constructor(info: DataErrorInfo) {
    super(info.message);
    this.name = 'DataError';
    this.code = info.code;
    this.file = info.file;
    this.line = info.line;
    this.row = info.row;
    this.count = info.count;
  }

  toInfo(): DataErrorInfo {
    const { code, message, file, line, row, count } = this;
    return { code, message, file, line, row, count };
  }
}

/** A QuotaExceededError from IndexedDB, whatever wrapper (DOMException, idb) it arrives in. */
export function isQuotaError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: string; inner?: unknown; cause?: unknown };
  return e.name === 'QuotaExceededError' || isQuotaError(e.inner) || isQuotaError(e.cause);
}

/** Turns anything thrown during an import into a DataErrorInfo that names the file. */
export function toDataErrorInfo(err: unknown, file?: string): DataErrorInfo {
  if (err instanceof DataError) return err.toInfo();
  if (isQuotaError(err)) {
    return {
      code: 'quota',
      file,
      message:
        `${file ?? 'The import'} does not fit in the browser's storage quota: the import was rolled back ` +
        'and nothing was kept. Delete a stored dataset or free disk space, then try again.',
    };
  }
  const detail = err instanceof Error ? err.message : String(err);
  return { code: 'storage', file, message: `${file ?? 'The import'} failed: ${detail}` };
}
