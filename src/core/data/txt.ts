// Plain text: one example per line, labelled by the file's name (positive.txt + negative.txt → two classes).
import { decodeText } from './decode';
import { DataError } from './errors';
import { baseName } from './format';
import { DEFAULT_BATCH_ROWS, type ReadOptions, type RowBatch } from './table';

export const TXT_COLUMNS = ['text', 'label'] as const;

export async function* readTextLines(
  blob: Blob,
  fileName: string,
  options: ReadOptions = {},
): AsyncGenerator<RowBatch> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const label = baseName(fileName);
  const columns = [...TXT_COLUMNS];
  let rows: string[][] = [];
  let total = 0;
  let carry = '';
  let bytesRead = 0;
  const take = (line: string) => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() !== '') rows.push([text, label]);
  };
  for await (const chunk of decodeText(blob, fileName, options)) {
    bytesRead = chunk.bytesRead;
    const lines = (carry + chunk.text).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) take(line);
    if (rows.length >= batchRows) {
      total += rows.length;
      yield { columns, rows, bytesRead };
      rows = [];
    }
  }
  take(carry);
  if (rows.length) {
    total += rows.length;
    yield { columns, rows, bytesRead };
  }
  if (total === 0) {
    throw new DataError({
      code: 'empty-file',
      file: fileName,
      message: `${fileName} is empty: it has no lines of text.`,
    });
  }
}
