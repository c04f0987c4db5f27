// JSON Lines / NDJSON, streamed line by line. Lines that are not a JSON object are collected with their line
// numbers; unless the caller asked to skip them, the file is refused at the end with how many there are.
import { decodeText } from './decode';
import { DataError } from './errors';
import { DEFAULT_BATCH_ROWS, cellText, type ReadOptions, type RowBatch } from './table';

export async function* readJsonl(
  blob: Blob,
  fileName: string,
  options: ReadOptions = {},
): AsyncGenerator<RowBatch> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const columns: string[] = [];
  const index = new Map<string, number>();
  const broken: number[] = [];
  let rows: string[][] = [];
  let total = 0;
  let lineNo = 0;
  let carry = '';
  let bytesRead = 0;

  const takeLine = (line: string) => {
    lineNo++;
    const trimmed = line.trim();
    if (trimmed === '') return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      broken.push(lineNo);
      return;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      broken.push(lineNo);
      return;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!index.has(key)) {
        index.set(key, columns.length);
        columns.push(key);
      }
    }
    const row = new Array<string>(columns.length).fill('');
    for (const [key, v] of Object.entries(record)) row[index.get(key)!] = cellText(v);
    rows.push(row);
  };

  for await (const chunk of decodeText(blob, fileName, options)) {
    bytesRead = chunk.bytesRead;
    const lines = (carry + chunk.text).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) takeLine(line);
    if (rows.length >= batchRows) {
      total += rows.length;
      yield { columns: [...columns], rows, bytesRead };
      rows = [];
    }
  }
  takeLine(carry);
  if (rows.length) {
    total += rows.length;
    yield { columns: [...columns], rows, bytesRead };
  }
  if (broken.length && !options.skipBrokenLines) {
    const shown = broken.slice(0, 5).join(', ') + (broken.length > 5 ? ', …' : '');
    throw new DataError({
      code: 'broken-jsonl-lines',
      file: fileName,
      line: broken[0],
      count: broken.length,
      message:
        `${fileName}: ${broken.length} line${broken.length === 1 ? ' is' : 's are'} not a JSON object ` +
        `(line${broken.length === 1 ? '' : 's'} ${shown}). You can import the file skipping ${broken.length === 1 ? 'it' : `these ${broken.length} lines`}.`,
    });
  }
  if (total === 0) {
    throw new DataError({
      code: broken.length ? 'broken-jsonl-lines' : 'empty-file',
      file: fileName,
      message: `${fileName} has no rows${broken.length ? ': every line is broken' : ''}.`,
    });
  }
}
