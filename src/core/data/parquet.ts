// Parquet through hyparquet, one row group at a time, read straight from the Blob by byte ranges.
import {
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
} from 'hyparquet';
import { cancelled } from './decode';
import { DataError } from './errors';
import { DEFAULT_BATCH_ROWS, cellText, type ReadOptions, type RowBatch } from './table';

function blobBuffer(blob: Blob): AsyncBuffer {
  return { byteLength: blob.size, slice: (start, end) => blob.slice(start, end).arrayBuffer() };
}

function badParquet(fileName: string, detail: string): DataError {
  return new DataError({
    code: 'bad-parquet',
    file: fileName,
    message: `${fileName} is not a readable Parquet file: ${detail}`,
  });
}

export async function* readParquet(
  blob: Blob,
  fileName: string,
  options: ReadOptions = {},
): AsyncGenerator<RowBatch> {
  const magic = new TextDecoder().decode(await blob.slice(0, 4).arrayBuffer());
  if (magic !== 'PAR1') {
    throw new DataError({
      code: 'binary',
      file: fileName,
      message: `${fileName} is not a Parquet file: it does not start with the Parquet signature 'PAR1'.`,
    });
  }
  const file = blobBuffer(blob);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    throw badParquet(fileName, err instanceof Error ? err.message : String(err));
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  let start = 0;
  let total = 0;
  for (const group of metadata.row_groups) {
    if (options.signal?.aborted) throw cancelled(fileName);
    const end = start + Number(group.num_rows);
    let objects: Record<string, unknown>[];
    try {
      objects = await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end });
    } catch (err) {
      throw badParquet(fileName, err instanceof Error ? err.message : String(err));
    }
    const bytesRead = Math.round((blob.size * end) / Math.max(1, Number(metadata.num_rows)));
    for (let i = 0; i < objects.length; i += batchRows) {
      const rows = objects.slice(i, i + batchRows).map((o) => columns.map((c) => cellText(o[c])));
      total += rows.length;
      yield { columns, rows, bytesRead };
    }
    start = end;
  }
  if (total === 0) {
    throw new DataError({
      code: 'header-only',
      file: fileName,
      message: `${fileName} has the columns ${columns.join(', ')} but no rows.`,
    });
  }
}
