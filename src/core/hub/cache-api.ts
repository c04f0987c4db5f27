// The browser's Cache API as a FileCache. Only constructed where `caches` exists (pages and workers on a secure
// origin); core never touches it at import time, so this module also loads in Node.
import type { FileCache } from './cache';

export const MODEL_CACHE_NAME = 'webtune-models';

export class CacheApiCache implements FileCache {
  constructor(private readonly cacheName = MODEL_CACHE_NAME) {
    if (typeof caches === 'undefined') throw new Error('The Cache API is not available here');
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const response = await (await caches.open(this.cacheName)).match(key);
    return response ? new Uint8Array(await response.arrayBuffer()) : undefined;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const body = new Blob([bytes as Uint8Array<ArrayBuffer>]);
    const response = new Response(body, {
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.byteLength) },
    });
    await (await caches.open(this.cacheName)).put(key, response);
  }
}

/** The Cache API cache where the platform has one, else undefined (no caching). */
export function browserCache(): FileCache | undefined {
  return typeof caches === 'undefined' ? undefined : new CacheApiCache();
}
