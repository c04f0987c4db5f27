// One entry point for every format: picks the reader from the extension and, for the two ambiguous cases,
// from the first bytes (a .txt that is really a delimited table with a header; a .tsv whose quotes are not
// CSV quoting, as in GLUE's files).
import Papa from 'papaparse';
import { readDelimited, looksLikeHeader } from './csv';
import { encodingFromBom } from './decode';
import { formatOf, type FileFormat } from './format';
import { guessMapping } from './guess';
import { readJson } from './json';
import { readJsonl } from './jsonl';
import { readParquet } from './parquet';
import type { ReadOptions, RowBatch } from './table';
import { readTextLines } from './txt';

export interface OpenedTable {
  format: FileFormat;
  /** TXT files: every row is labelled with the file's name. */
  labelledByFileName: boolean;
  batches: AsyncGenerator<RowBatch>;
}

const HEAD_BYTES = 256 * 1024;

/** The first part of a file as text, for sniffing only; bytes that do not decode are left to the real pass. */
async function headText(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.slice(0, HEAD_BYTES).arrayBuffer());
  try {
    return new TextDecoder(encodingFromBom(bytes), { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return '';
  }
}

/** GLUE-style TSV: quotes are ordinary characters. Detected when CSV quoting fails on the first rows. */
export function tsvQuotesBroken(head: string): boolean {
  const sample = Papa.parse<string[]>(head, { delimiter: '\t', preview: 200, skipEmptyLines: true });
  const complete = sample.data.length - 1;
  return sample.errors.some((e) => e.type === 'Quotes' && (e.row ?? 0) < complete);
}

/** A .txt whose first line is a header naming a text and a label column (e.g. `text;label_name`). */
export function txtDelimiter(head: string): string | undefined {
  const firstLine = head.split('\n', 1)[0]?.replace(/\r$/, '') ?? '';
  for (const delimiter of [';', '\t', ',', '|']) {
    const cells = firstLine.split(delimiter);
    if (cells.length < 2 || !looksLikeHeader(cells)) continue;
    const mapping = guessMapping(cells, []);
    if (mapping?.label && mapping.text !== mapping.label) return delimiter;
  }
  return undefined;
}

export async function openTable(
  blob: Blob,
  fileName: string,
  options: ReadOptions = {},
): Promise<OpenedTable> {
  const format = formatOf(fileName);
  const plain = (batches: AsyncGenerator<RowBatch>) => ({ format, labelledByFileName: false, batches });
  switch (format) {
    case 'csv':
      return plain(readDelimited(blob, fileName, options));
    case 'tsv': {
      const noQuotes = tsvQuotesBroken(await headText(blob));
      return plain(readDelimited(blob, fileName, { ...options, delimiter: '\t', noQuotes }));
    }
    case 'json':
      return plain(readJson(blob, fileName, options));
    case 'jsonl':
      return plain(readJsonl(blob, fileName, options));
    case 'parquet':
      return plain(readParquet(blob, fileName, options));
    case 'txt': {
      const delimiter = txtDelimiter(await headText(blob));
      if (delimiter) return plain(readDelimited(blob, fileName, { ...options, delimiter }));
      return { format, labelledByFileName: true, batches: readTextLines(blob, fileName, options) };
    }
  }
}

/** Reads a whole (small) file into columns and rows: for tests, previews and the CLI. */
export async function readAll(
  blob: Blob,
  fileName: string,
  options: ReadOptions = {},
): Promise<{ format: FileFormat; columns: string[]; rows: string[][] }> {
  const table = await openTable(blob, fileName, options);
  let columns: readonly string[] = [];
  const rows: string[][] = [];
  for await (const batch of table.batches) {
    columns = batch.columns;
    for (const row of batch.rows) rows.push(row);
  }
  const width = columns.length;
  for (const row of rows) while (row.length < width) row.push('');
  return { format: table.format, columns: [...columns], rows };
}
