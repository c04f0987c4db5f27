// Zips the export folder for download, under one top-level folder so it unpacks as a model directory.
// Weights are stored uncompressed (float noise does not deflate, and storing is fast); text is deflated.
import { zipSync, type Zippable } from 'fflate';
import type { ExportFiles } from './bundle';

export class ExportZipError extends Error {}

/** fflate writes classic zip, whose sizes and offsets are 32-bit. */
const ZIP32_LIMIT = 0xffffffff;

export interface ZipOptions {
  /** The folder inside the zip; the files are at the root when absent. */
  folder?: string;
  /** The modification time recorded for every file (a fixed one makes the zip reproducible). */
  mtime?: Date;
}

export function zipExport(files: ExportFiles, options: ZipOptions = {}): Uint8Array {
  const prefix = options.folder ? `${options.folder.replace(/\/+$/, '')}/` : '';
  const mtime = options.mtime ?? new Date();
  const year = mtime.getFullYear();
  if (!(year >= 1980 && year <= 2099)) {
    throw new ExportZipError(
      `the file date ${mtime.toISOString()} is out of range: a zip can only record 1980 to 2099`,
    );
  }
  const entries: Zippable = {};
  let total = 0;
  for (const [name, bytes] of files) {
    checkPath(name);
    total += bytes.byteLength;
    if (total > ZIP32_LIMIT) {
      throw new ExportZipError(
        `the export is larger than 4 GiB at ${name}; a zip without ZIP64 cannot hold it (write it as a folder instead)`,
      );
    }
    const level = name.endsWith('.safetensors') ? 0 : 6;
    entries[`${prefix}${name}`] = [bytes, { level, mtime }];
  }
  return zipSync(entries);
}

/** File names inside the export are relative paths with no way out of the folder. */
export function checkPath(name: string): void {
  const parts = name.split('/');
  if (
    name === '' ||
    name.startsWith('/') ||
    name.includes('\\') ||
    parts.some((part) => part === '' || part === '.' || part === '..')
  ) {
    throw new ExportZipError(`"${name}" is not a safe relative file name for the export`);
  }
}
