// The Node download cache: one file per cached URL under a folder. Files are written to a temporary name and
// renamed into place, so a crash mid-write never leaves a partial file where a whole one is expected.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FileCache } from '../core/hub/cache';

/** $WEBTUNE_CACHE, else ~/.cache/webtune/models. */
export function defaultCacheDir(): string {
  return process.env.WEBTUNE_CACHE ?? join(homedir(), '.cache', 'webtune', 'models');
}

export class FolderCache implements FileCache {
  constructor(readonly folder: string = defaultCacheDir()) {}

  /** Where a key lives: the URL without its scheme, each part percent-encoded (so no part is `..`). */
  pathOf(key: string): string {
    const parts = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/');
    return join(
      this.folder,
      ...parts.map((part) =>
        encodeURIComponent(part).replace(/^\.{1,2}$/, (dots) => dots.replace(/\./g, '%2E')),
      ),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const buffer = await readFile(this.pathOf(key));
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${Date.now()}.partial`;
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  }
}
