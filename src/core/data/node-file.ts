// Node only (the CLI and tests): a dataset file on disk as a Blob, so the same readers stream it in pieces.
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { readAll } from './read';
import type { ReadOptions } from './table';

export async function fileBlob(path: string): Promise<Blob> {
  return openAsBlob(path);
}

/** Reads a dataset file given by path, or a Blob with its name, into columns and rows. */
export async function readDatasetFile(
  source: string | { blob: Blob; name: string },
  options: ReadOptions = {},
) {
  if (typeof source === 'string') return readAll(await fileBlob(source), basename(source), options);
  return readAll(source.blob, source.name, options);
}
