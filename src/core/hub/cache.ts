// A cache of downloaded model files, keyed by URL, so a second load reads nothing from the network. Browsers use
// the Cache API (cache-api.ts), Node a folder (src/cli/node-cache.ts), tests a Map. Only whole files are put:
// a failed or truncated download throws before reaching the cache.
import { ModelLoadError } from './errors';
import type { ModelSource, ProgressCallback } from './source';

export interface FileCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

export class MemoryCache implements FileCache {
  readonly entries = new Map<string, Uint8Array>();
  async get(key: string) {
    return this.entries.get(key);
  }
  async put(key: string, bytes: Uint8Array) {
    this.entries.set(key, bytes);
  }
}

// A file the model does not have is remembered too (as the Python hub client does), so that looking for the
// optional files again costs no request. The marker is a query string, which the Cache API keeps in its keys.
const MISSING = '?webtune-missing';

/** The source with a cache in front; sources without a cacheKey (local files) are returned unchanged. */
export function cachedSource(source: ModelSource, cache: FileCache | undefined): ModelSource {
  const prefix = source.cacheKey;
  if (!cache || prefix === undefined) return source;
  const key = (file: string) => `${prefix}/${file}`;
  // The cache is a convenience: when it cannot store (a full quota, a read-only folder) the load goes on.
  const put = async (file: string, cacheKey: string, bytes: Uint8Array) => {
    try {
      await cache.put(cacheKey, bytes);
    } catch (error) {
      console.warn(`Could not cache ${file} of model ${source.name}: ${(error as Error).message}`);
    }
  };
  const rememberMissing = async (file: string, error: unknown) => {
    if (error instanceof ModelLoadError && error.code === 'missing-file') {
      await put(file, key(file) + MISSING, new Uint8Array(0));
    }
  };
  return {
    name: source.name,
    cacheKey: prefix,
    async fetchFile(file: string, onProgress?: ProgressCallback) {
      const hit = await cache.get(key(file));
      if (hit) {
        onProgress?.({ file, loaded: hit.byteLength, total: hit.byteLength, cached: true });
        return hit;
      }
      if (await cache.get(key(file) + MISSING)) {
        throw new ModelLoadError(
          'missing-file',
          source.name,
          file,
          `Model ${source.name} has no file ${file}.`,
        );
      }
      let bytes: Uint8Array;
      try {
        bytes = await source.fetchFile(file, onProgress);
      } catch (error) {
        await rememberMissing(file, error);
        throw error;
      }
      await put(file, key(file), bytes);
      return bytes;
    },
    async exists(file: string) {
      if (await cache.get(key(file))) return true;
      if (await cache.get(key(file) + MISSING)) return false;
      const found = await source.exists(file);
      if (!found) await put(file, key(file) + MISSING, new Uint8Array(0));
      return found;
    },
  };
}
