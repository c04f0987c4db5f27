// How much the browser lets us store, and a request to keep it (persistent storage is not evicted under
// pressure). Both are optional APIs: without them we report unknown.
export interface StorageQuota {
  usage?: number;
  quota?: number;
  persisted?: boolean;
}

function storageManager(): StorageManager | undefined {
  return typeof navigator !== 'undefined' ? navigator.storage : undefined;
}

export async function storageQuota(): Promise<StorageQuota> {
  const storage = storageManager();
  if (!storage?.estimate) return {};
  const { usage, quota } = await storage.estimate();
  const persisted = storage.persisted ? await storage.persisted() : undefined;
  return { usage, quota, persisted };
}

export async function requestPersistence(): Promise<boolean | undefined> {
  const storage = storageManager();
  if (!storage?.persist) return undefined;
  try {
    return await storage.persist();
  } catch {
    return false;
  }
}

/** Bytes still free under the quota, or undefined when the browser does not say. */
export async function availableBytes(): Promise<number | undefined> {
  const { usage, quota } = await storageQuota();
  return usage !== undefined && quota !== undefined ? Math.max(0, quota - usage) : undefined;
}
