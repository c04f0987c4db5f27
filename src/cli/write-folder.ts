// Writes an export (file name → bytes) into a folder on disk, for the CLI's --out.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ExportFiles } from '../core/export/bundle';
import { checkPath } from '../core/export/zip';

/** Creates `dir` (and parents) and writes every file into it; returns the paths written. */
export async function writeExportFolder(dir: string, files: ExportFiles): Promise<string[]> {
  const root = resolve(dir);
  const existing = await stat(root).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new Error(`cannot write the export to ${root}: it exists and is not a folder`);
  }
  const written: string[] = [];
  for (const [name, bytes] of files) {
    checkPath(name);
    const path = join(root, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    written.push(path);
  }
  return written;
}
