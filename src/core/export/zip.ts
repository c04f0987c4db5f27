// Zips the export folder for download, under one top-level folder so it unpacks as a model directory.
// Weights are stored uncompressed (float noise does not deflate, and storing is fast); text is deflated.
// fflate's streaming Zip passes stored pieces through as they are, so the streamed ONNX files go into the zip
// from views on the weights: the zip itself is the only new copy.
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { ExportFiles } from './bundle';
import type { StreamedFile, StreamedFiles } from './streamed-file';

export class ExportZipError extends Error {}

/** fflate writes classic zip, whose sizes and offsets are 32-bit. */
const ZIP32_LIMIT = 0xffffffff;

export interface ZipOptions {
  /** The folder inside the zip; the files are at the root when absent. */
  folder?: string;
  /** The modification time recorded for every file (a fixed one makes the zip reproducible). */
  mtime?: Date;
}

/** Files whose bytes are stored, not deflated: weights. */
function stored(name: string): boolean {
  return name.endsWith('.safetensors') || name.endsWith('.onnx');
}

export function zipExport(
  files: ExportFiles,
  options: ZipOptions = {},
  streamed: StreamedFiles = new Map(),
): Uint8Array {
  const prefix = options.folder ? `${options.folder.replace(/\/+$/, '')}/` : '';
  const mtime = options.mtime ?? new Date();
  const year = mtime.getFullYear();
  if (!(year >= 1980 && year <= 2099)) {
    throw new ExportZipError(
      `the file date ${mtime.toISOString()} is out of range: a zip can only record 1980 to 2099`,
    );
  }
  const all = new Map<string, StreamedFile>();
  for (const [name, bytes] of files) all.set(name, { byteLength: bytes.byteLength, chunks: () => [bytes] });
  for (const [name, file] of streamed) all.set(name, file);
  let total = 0;
  for (const [name, file] of all) {
    checkPath(name);
    total += file.byteLength;
    if (total > ZIP32_LIMIT) {
      throw new ExportZipError(
        `the export is larger than 4 GiB at ${name}; a zip without ZIP64 cannot hold it (write it as a folder instead)`,
      );
    }
  }
  const pieces: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((err, data) => {
    if (err) failure = err;
    else pieces.push(data);
  });
  for (const [name, file] of all) {
    const entry = stored(name)
      ? new ZipPassThrough(`${prefix}${name}`)
      : new ZipDeflate(`${prefix}${name}`, { level: 6 });
    entry.mtime = mtime;
    zip.add(entry);
    for (const chunk of file.chunks()) entry.push(chunk);
    entry.push(new Uint8Array(0), true);
  }
  zip.end();
  if (failure) throw failure;
  const out = new Uint8Array(pieces.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.byteLength;
  }
  return out;
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
