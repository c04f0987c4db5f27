// The shape every format reader produces: batches of rows as string arrays aligned with a column list that
// only ever grows (JSONL objects may bring new keys). Values are kept as text; labels may be "0" or "positive".
export interface RowBatch {
  columns: readonly string[];
  rows: string[][];
  /** Bytes of the file consumed so far (for progress). */
  bytesRead: number;
  /**
   * TXT read by lines: the decoded text this batch covers (since the previous batch), blank lines included, so
   * that the file's whole text can be kept beside its rows (txt.ts).
   */
  text?: string;
}

export interface ReadOptions {
  signal?: AbortSignal;
  /** JSONL only: skip lines that are not valid JSON instead of refusing the file. */
  skipBrokenLines?: boolean;
  /** Rows per batch handed to the caller. */
  batchRows?: number;
  /** Characters of decoded text per parser call (tests use tiny ones to cut rows anywhere). */
  chunkChars?: number;
}

export const DEFAULT_BATCH_ROWS = 2000;

/** A cell value from JSON or Parquet as the text we store. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Column names made unique and never empty, so a mapping can name each one. */
export function uniqueColumnNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((raw, i) => {
    const base = raw.trim() || `column ${i + 1}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base} (${n + 1})`;
  });
}
