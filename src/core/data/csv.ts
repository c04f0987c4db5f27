// CSV and TSV through papaparse, fed decoded text chunk by chunk (never the whole file as one string).
// papaparse keeps the partial last line of each chunk and joins it to the next, so quoted fields with
// embedded newlines survive chunk boundaries.
import Papa from 'papaparse';
import { decodeText } from './decode';
import { DataError } from './errors';
import { DEFAULT_BATCH_ROWS, uniqueColumnNames, type ReadOptions, type RowBatch } from './table';

/** A field still open after this much text has no closing quote: stop instead of scanning on (quadratic). */
const MAX_OPEN_FIELD_CHARS = 8 << 20;
/** Text held back before the first parse, so papaparse's guesses see enough lines. */
const SNIFF_CHARS = 64 * 1024;

export interface DelimitedOptions extends ReadOptions {
  /** Forced delimiter; sniffed by papaparse when absent. */
  delimiter?: string;
  /** Read quotes as ordinary characters (plain tab-separated files such as GLUE's). */
  noQuotes?: boolean;
}

interface Feeder {
  push(text: string): void;
  end(): void;
}

/** Drives papaparse's stream reader with text we push, so parsing stays synchronous per chunk. */
function papaFeeder(
  config: Papa.ParseConfig<string[]> & { chunk(results: Papa.ParseResult<string[]>): void },
) {
  let onData: (text: string) => void = () => {};
  let onEnd: () => void = () => {};
  const input = {
    readable: true,
    read() {},
    on(event: string, fn: (arg?: unknown) => void) {
      if (event === 'data') onData = fn as (text: string) => void;
      else if (event === 'end') onEnd = fn as () => void;
    },
    removeListener() {},
    pause() {},
    resume() {},
  };
  (Papa.parse as (input: unknown, config: unknown) => void)(input, config);
  const feeder: Feeder = { push: (text) => onData(text), end: () => onEnd() };
  return feeder;
}

/** A header cell that looks like data (a number, a long sentence) means the file has no header row. */
export function looksLikeHeader(cells: readonly string[]): boolean {
  if (cells.length === 0) return false;
  const seen = new Set<string>();
  for (const raw of cells) {
    const cell = raw.trim();
    if (cell === '' || /^[-+]?\d+(\.\d+)?$/.test(cell) || cell.length > 48 || seen.has(cell)) return false;
    seen.add(cell);
  }
  return true;
}

export async function* readDelimited(
  blob: Blob,
  fileName: string,
  options: DelimitedOptions = {},
): AsyncGenerator<RowBatch> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const parsed: string[][] = [];
  const errors: Papa.ParseError[] = [];
  let rowsBeforeChunk = 0;
  const feeder = papaFeeder({
    header: false,
    skipEmptyLines: true,
    delimiter: options.delimiter ?? '',
    quoteChar: options.noQuotes ? '\u0000' : '"',
    chunk(results) {
      for (const e of results.errors)
        if (e.type === 'Quotes') errors.push({ ...e, row: rowsBeforeChunk + (e.row ?? 0) });
      for (const row of results.data) parsed.push(row);
      rowsBeforeChunk += results.data.length;
    },
  });

  let columns: string[] | undefined;
  let dataRows = 0;
  let textSinceRow = 0;
  let rowsAtLastCheck = 0;
  let bytesRead = 0;
  let hadHeader = true;

  // papaparse rows are 0-based over the file, header included; we report data rows 1-based after the header.
  const fail = (e: Papa.ParseError): never => {
    const headerRows = columns && hadHeader ? 1 : 0;
    const row = Math.max(1, (e.row ?? 0) + 1 - headerRows);
    if (e.code === 'MissingQuotes') {
      throw new DataError({
        code: 'unclosed-quote',
        file: fileName,
        row,
        message: `${fileName}: a quoted field opened in row ${row} is never closed (a '"' is missing).`,
      });
    }
    throw new DataError({
      code: 'malformed-quote',
      file: fileName,
      row,
      message: `${fileName}: row ${row} has a stray '"' after a quoted field (${e.message}).`,
    });
  };

  const take = function* (final: boolean): Generator<RowBatch> {
    if (!columns && parsed.length) {
      const first = parsed[0]!;
      hadHeader = looksLikeHeader(first);
      columns = hadHeader ? uniqueColumnNames(first) : first.map((_c, i) => `column ${i + 1}`);
      if (hadHeader) parsed.shift();
    }
    if (errors.length) fail(errors[0]!);
    while (columns && (parsed.length >= batchRows || (final && parsed.length))) {
      const rows = parsed.splice(0, batchRows);
      for (const row of rows) {
        // Short rows are padded; surplus fields survive under generated column names.
        while (row.length > columns.length) columns.push(`column ${columns.length + 1}`);
        while (row.length < columns.length) row.push('');
      }
      dataRows += rows.length;
      yield { columns: [...columns], rows, bytesRead };
    }
  };

  // papaparse guesses the delimiter and the line ending from its first chunk: make sure that is a fair
  // sample (a first chunk ending between '\r' and '\n' would otherwise read as '\r' line endings).
  let head: string[] | null = [];
  let headChars = 0;
  for await (const chunk of decodeText(blob, fileName, options)) {
    bytesRead = chunk.bytesRead;
    let text = chunk.text;
    if (head) {
      head.push(text);
      headChars += text.length;
      if (headChars < SNIFF_CHARS) continue;
      text = head.join('');
      head = null;
    }
    feeder.push(text);
    if (rowsBeforeChunk === rowsAtLastCheck) {
      textSinceRow += text.length;
      if (textSinceRow > MAX_OPEN_FIELD_CHARS) {
        fail({ type: 'Quotes', code: 'MissingQuotes', message: '', row: rowsBeforeChunk, index: 0 });
      }
    } else {
      rowsAtLastCheck = rowsBeforeChunk;
      textSinceRow = 0;
    }
    yield* take(false);
  }
  if (head?.length) feeder.push(head.join(''));
  feeder.end();
  yield* take(true);
  if (!columns) {
    throw new DataError({
      code: 'empty-file',
      file: fileName,
      message: `${fileName} is empty: it has no rows.`,
    });
  }
  if (dataRows === 0) {
    throw new DataError({
      code: 'header-only',
      file: fileName,
      message: `${fileName} has a header (${columns.join(', ')}) but no rows below it.`,
    });
  }
}
