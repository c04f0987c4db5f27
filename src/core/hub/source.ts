// Where a model's files come from. The loader asks a ModelSource for files by their name in the model folder
// (`config.json`, `model.safetensors`, …) and never cares whether they come from the Hub, a URL, files the user
// dropped or a local folder.
import { ModelLoadError } from './errors';

export interface FileProgress {
  file: string;
  /** Bytes read so far. */
  loaded: number;
  /** The file's size when known (the server may not say). */
  total?: number;
  /** True when the bytes came from the cache rather than the source. */
  cached?: boolean;
}

export type ProgressCallback = (progress: FileProgress) => void;

export interface ModelSource {
  /** How messages name the model: a Hub id (with its revision when not `main`), a URL or a folder. */
  readonly name: string;
  /** Prefix of the cache keys for this model's files (a URL), or undefined when its files are local. */
  readonly cacheKey?: string;
  /** The whole file; rejects with a ModelLoadError (code `missing-file` when the model has no such file). */
  fetchFile(file: string, onProgress?: ProgressCallback): Promise<Uint8Array>;
  /** Whether the model has the file; rejects only when the model itself cannot be reached. */
  exists(file: string): Promise<boolean>;
}

/** The file, or undefined when the model has no such file; other failures still reject. */
export async function fetchOptional(
  source: ModelSource,
  file: string,
  onProgress?: ProgressCallback,
): Promise<Uint8Array | undefined> {
  try {
    return await source.fetchFile(file, onProgress);
  } catch (error) {
    if (error instanceof ModelLoadError && error.code === 'missing-file') return undefined;
    throw error;
  }
}

/**
 * Reads a byte stream to its end, reporting progress per chunk. With a known total the bytes go straight into
 * one buffer of that size (no second copy of a large checkpoint); a stream longer than announced (a compressed
 * transfer) falls back to growing. A stream that fails midway rejects with what was read so far attached.
 */
export async function readStream(
  stream: ReadableStream<Uint8Array>,
  total: number | undefined,
  onChunk: (loaded: number) => void,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  let buffer = new Uint8Array(total ?? 1 << 16);
  let loaded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (loaded + value.byteLength > buffer.byteLength) {
        const grown = new Uint8Array(Math.max(buffer.byteLength * 2, loaded + value.byteLength));
        grown.set(buffer.subarray(0, loaded));
        buffer = grown;
      }
      buffer.set(value, loaded);
      loaded += value.byteLength;
      onChunk(loaded);
    }
  } catch (error) {
    throw new StreamBrokenError(loaded, error);
  }
  return loaded === buffer.byteLength ? buffer : buffer.slice(0, loaded);
}

export class StreamBrokenError extends Error {
  constructor(
    readonly loaded: number,
    cause: unknown,
  ) {
    super(`the stream broke after ${loaded} bytes`, { cause });
  }
}

export function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  const code = cause && typeof cause === 'object' && 'code' in cause ? ` (${String(cause.code)})` : '';
  return `${error.message}${code}`;
}
