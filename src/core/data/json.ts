// JSON datasets: an array of objects (one per example) or an object of columns ({"text": [...], "label": [...]}).
// JSON cannot be parsed in pieces with the platform's parser, so the text is joined here; large datasets should
// come as JSONL or CSV, which stream.
import { decodeText } from './decode';
import { DataError } from './errors';
import { DEFAULT_BATCH_ROWS, cellText, type ReadOptions, type RowBatch } from './table';

/**
 * The line of a JSON.parse error. V8 names a position ("… at position 120"), or quotes the text around the
 * bad token ("Unexpected token '}', ..."{"text": }"..." is not valid JSON"), starting 10 characters before it
 * when the quote is cut ("..." in front).
 */
export function lineOfJsonError(message: string, text: string): number | undefined {
  let position: number | undefined;
  const pos = /position (\d+)/.exec(message);
  if (pos) position = Number(pos[1]);
  else {
    const quoted = /token '(.)', (\.\.\.)?"([\s\S]*?)"(\.\.\.)? is not valid JSON/.exec(message);
    if (quoted) {
      const [, token, cut, snippet] = quoted as unknown as [string, string, string | undefined, string];
      const start = text.indexOf(snippet);
      if (start >= 0) position = start + (cut ? 10 : Math.max(0, snippet.indexOf(token)));
    }
  }
  if (position === undefined) return undefined;
  let n = 1;
  const end = Math.min(text.length, position);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function shapeError(fileName: string, what: string): DataError {
  return new DataError({
    code: 'malformed-json',
    file: fileName,
    message: `${fileName}: ${what}. A JSON dataset is an array of objects ([{"text": …, "label": …}, …]) or an object of columns ({"text": […], "label": […]}).`,
  });
}

/** Rows from an already-parsed JSON value (exported for tests and for the CLI). */
export function tableFromJson(value: unknown, fileName: string): { columns: string[]; rows: string[][] } {
  if (Array.isArray(value)) {
    const columns: string[] = [];
    const index = new Map<string, number>();
    const records: Record<string, unknown>[] = [];
    value.forEach((item, i) => {
      if (!item || typeof item !== 'object' || Array.isArray(item)) {
        throw shapeError(
          fileName,
          `item ${i + 1} of the array is ${Array.isArray(item) ? 'an array' : typeof item}, not an object`,
        );
      }
      for (const key of Object.keys(item)) {
        if (!index.has(key)) {
          index.set(key, columns.length);
          columns.push(key);
        }
      }
      records.push(item as Record<string, unknown>);
    });
    return { columns, rows: records.map((r) => columns.map((c) => cellText(r[c]))) };
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const bad = entries.find(([, v]) => !Array.isArray(v));
    if (bad || entries.length === 0) {
      throw shapeError(fileName, bad ? `"${bad[0]}" is not an array of values` : 'the object is empty');
    }
    const columns = entries.map(([k]) => k);
    const lists = entries.map(([, v]) => v as unknown[]);
    const n = Math.max(...lists.map((l) => l.length));
    const rows: string[][] = [];
    for (let i = 0; i < n; i++) rows.push(lists.map((l) => cellText(l[i])));
    return { columns, rows };
  }
  throw shapeError(fileName, `the top-level value is ${value === null ? 'null' : typeof value}`);
}

export async function* readJson(
  blob: Blob,
  fileName: string,
  options: ReadOptions = {},
): AsyncGenerator<RowBatch> {
  const parts: string[] = [];
  let bytesRead = 0;
  for await (const chunk of decodeText(blob, fileName, options)) {
    parts.push(chunk.text);
    bytesRead = chunk.bytesRead;
  }
  let text: string;
  try {
    text = parts.join('');
  } catch {
    throw new DataError({
      code: 'too-large',
      file: fileName,
      message: `${fileName} is too large to read as one JSON document (${(blob.size / 1e6).toFixed(0)} MB): save it as JSON Lines (.jsonl), which is read line by line.`,
    });
  }
  if (text.trim() === '') {
    throw new DataError({ code: 'empty-file', file: fileName, message: `${fileName} is empty.` });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const line = lineOfJsonError(detail, text);
    throw new DataError({
      code: 'malformed-json',
      file: fileName,
      line,
      message: `${fileName} is not valid JSON${line ? ` (line ${line})` : ''}: ${detail}`,
    });
  }
  const { columns, rows } = tableFromJson(value, fileName);
  if (rows.length === 0) {
    throw new DataError({
      code: 'header-only',
      file: fileName,
      message: `${fileName} has no rows: ${columns.length ? `the columns ${columns.join(', ')} are empty` : 'the array is empty'}.`,
    });
  }
  const batch = options.batchRows ?? DEFAULT_BATCH_ROWS;
  for (let i = 0; i < rows.length; i += batch) {
    yield { columns, rows: rows.slice(i, i + batch), bytesRead };
  }
}
