// Writes an export (file name → bytes) into a folder on disk, for the CLI's --out. Streamed files (the ONNX
// models) are written piece by piece, so the weights are never copied into one more buffer.
import { createWriteStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ExportFiles } from '../core/export/bundle';
import type { StreamedFile, StreamedFiles } from '../core/export/streamed-file';
import { checkPath } from '../core/export/zip';

/** Creates `dir` (and parents) and writes every file into it; returns the paths written. */
export async function writeExportFolder(
  dir: string,
  files: ExportFiles,
  streamed: StreamedFiles = new Map(),
): Promise<string[]> {
  const root = resolve(dir);
  const existing = await stat(root).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new Error(`cannot write the export to ${root}: it exists and is not a folder`);
  }
  const written: string[] = [];
  for (const [name, bytes] of files) {
    written.push(await prepare(root, name));
    await writeFile(written.at(-1)!, bytes);
  }
  for (const [name, file] of streamed) {
    written.push(await prepare(root, name));
    await writeStreamedFile(written.at(-1)!, file);
  }
  return written;
}

async function prepare(root: string, name: string): Promise<string> {
  checkPath(name);
  const path = join(root, name);
  await mkdir(dirname(path), { recursive: true });
  return path;
}

/** Writes the file's pieces in order, waiting for the stream to drain so pieces do not pile up in memory. */
export async function writeStreamedFile(path: string, file: StreamedFile): Promise<void> {
  const out = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  let written = 0;
  for (const chunk of file.chunks()) {
    written += chunk.byteLength;
    if (!out.write(chunk)) {
      await Promise.race([new Promise<void>((r) => out.once('drain', () => r())), failed]);
    }
  }
  await Promise.race([new Promise<void>((r) => out.end(r)), failed]);
  if (written !== file.byteLength) {
    throw new Error(`${path}: wrote ${written} bytes, but the file announced ${file.byteLength}`);
  }
}
