// Plain text, read two ways. By lines: one example per line, labelled by the file's name (positive.txt +
// negative.txt → two classes), which is also datasets' default (`load_dataset("text")`) for generative data.
// By file: the file's whole text as one document, as `load_dataset("text", sample_by="document")` reads it.
// The line reader hands on the decoded text with its rows, so an import can keep both (blank lines are not
// rows, but they are part of a document and change its tokens).
import { decodeText, type DecodeOptions } from './decode';
import { DataError } from './errors';
import { baseName } from './format';
import { DEFAULT_BATCH_ROWS, type ReadOptions, type RowBatch } from './table';

export const TXT_COLUMNS = ['text', 'label'] as const;

/** How TXT files become generative data: one document per line, or the whole file as one document. */
export type TxtDocuments = 'line' | 'file';

export async function* readTextLines(
  blob: Blob,
  fileName: string,
  options: ReadOptions = {},
): AsyncGenerator<RowBatch> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const label = baseName(fileName);
  const columns = [...TXT_COLUMNS];
  let rows: string[][] = [];
  let text = '';
  let total = 0;
  let carry = '';
  let bytesRead = 0;
  const take = (line: string) => {
    const value = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (value.trim() !== '') rows.push([value, label]);
  };
  for await (const chunk of decodeText(blob, fileName, options)) {
    bytesRead = chunk.bytesRead;
    text += chunk.text;
    const lines = (carry + chunk.text).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) take(line);
    if (rows.length >= batchRows) {
      total += rows.length;
      yield { columns, rows, bytesRead, text };
      rows = [];
      text = '';
    }
  }
  take(carry);
  // Text after the last row (blank lines at the end) still belongs to the file's document.
  if (rows.length || text) {
    total += rows.length;
    yield { columns, rows, bytesRead, text };
  }
  if (total === 0) {
    throw new DataError({
      code: 'empty-file',
      file: fileName,
      message: `${fileName} is empty: it has no lines of text.`,
    });
  }
}

/**
 * A file's decoded text as datasets' text builder holds a document: Python opens the file in text mode, whose
 * universal newlines turn `\r\n` and a lone `\r` into `\n`; everything else, blank lines and the final line
 * break included, is kept. (The byte-order mark is dropped by the decoder, where Python's "utf-8" would keep it
 * as U+FEFF: a character no tokenizer should see at the start of a document.)
 */
export function documentText(decoded: string): string {
  return decoded.replace(/\r\n?/g, '\n');
}

/** A TXT file as one document (`sample_by="document"`); a file with no text in it is refused. */
export async function readTextDocument(
  blob: Blob,
  fileName: string,
  options: DecodeOptions = {},
): Promise<string> {
  const pieces: string[] = [];
  for await (const chunk of decodeText(blob, fileName, options)) pieces.push(chunk.text);
  const document = documentText(pieces.join(''));
  if (document.trim() === '')
    throw new DataError({
      code: 'empty-file',
      file: fileName,
      message: `${fileName} is empty: it has no text.`,
    });
  return document;
}
