// Streams a Blob as text: picks the encoding from the byte-order mark (UTF-8 otherwise), refuses binary files,
// and decodes with fatal: true so that bytes which are not the claimed encoding stop the import instead of
// turning into mojibake. Never holds more than one chunk of the file in memory.
import { DataError } from './errors';

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface TextChunk {
  text: string;
  /** Bytes of the file consumed so far. */
  bytesRead: number;
}

const SNIFF_BYTES = 8192;
/** Decoded text is handed on in pieces of about this many characters: fewer, larger parser calls. */
const CHUNK_CHARS = 1 << 20;

export function encodingFromBom(head: Uint8Array): TextEncodingName {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

function hasBom(head: Uint8Array): boolean {
  return encodingFromBom(head) !== 'utf-8' || (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf);
}

/** Refuses what is plainly not text: NUL bytes, or many control characters, in the first bytes. */
export function sniffBinary(head: Uint8Array, fileName: string): void {
  let nul = 0;
  let nulOdd = 0;
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const b = head[i]!;
    if (b === 0) {
      nul++;
      if (i % 2 === 1) nulOdd++;
    } else if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) control++;
  }
  if (nul > 0 && nul > head.length / 4 && (nulOdd === nul || nulOdd === 0)) {
    throw new DataError({
      code: 'encoding',
      file: fileName,
      message:
        `${fileName} looks like UTF-16 text without a byte-order mark, which cannot be read reliably. ` +
        'Save it as UTF-8, or as UTF-16 with a byte-order mark.',
    });
  }
  if (nul > 0 || control > Math.max(4, head.length / 100)) {
    throw new DataError({
      code: 'binary',
      file: fileName,
      message: `${fileName} is binary data, not text: it contains ${nul > 0 ? 'NUL bytes' : 'control characters'} near the start. Is it the right file?`,
    });
  }
}

function isUtf8Continuation(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

/** The offset of the first byte in `bytes` that does not decode (binary search with fresh streaming decoders). */
function firstBadOffset(bytes: Uint8Array, encoding: TextEncodingName): number {
  let start = 0;
  if (encoding === 'utf-8')
    while (start < 3 && start < bytes.length && isUtf8Continuation(bytes[start]!)) start++;
  const fails = (end: number) => {
    try {
      new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(start, end), {
        stream: true,
      });
      return false;
    } catch {
      return true;
    }
  };
  let lo = start;
  let hi = bytes.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fails(mid)) hi = mid;
    else lo = mid;
  }
  return lo;
}

function countNewlines(bytes: Uint8Array, end = bytes.length): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

function encodingError(fileName: string, encoding: TextEncodingName, offset: number, line?: number) {
  const where = line !== undefined ? `line ${line} (byte ${offset})` : `byte ${offset}`;
  const label = encoding === 'utf-8' ? 'UTF-8' : encoding === 'utf-16le' ? 'UTF-16 LE' : 'UTF-16 BE';
  return new DataError({
    code: 'encoding',
    file: fileName,
    line,
    message:
      `${fileName} is not valid ${label}: the bytes at ${where} do not decode. ` +
      'Save the file as UTF-8 (or UTF-16 with a byte-order mark); other encodings are not guessed.',
  });
}

export interface DecodeOptions {
  signal?: AbortSignal;
  /** Hand text on once this many characters are pending (default about 1 MB). */
  chunkChars?: number;
}

/** The encoding a file will be read with, from its first bytes. */
export async function detectEncoding(blob: Blob): Promise<TextEncodingName> {
  return encodingFromBom(new Uint8Array(await blob.slice(0, 4).arrayBuffer()));
}

export async function* decodeText(
  blob: Blob,
  fileName: string,
  options: DecodeOptions = {},
): AsyncGenerator<TextChunk> {
  const head = new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer());
  const encoding = encodingFromBom(head);
  if (!hasBom(head) || encoding === 'utf-8') sniffBinary(head, fileName);
  const decoder = new TextDecoder(encoding, { fatal: true });
  const reader = blob.stream().getReader();
  let bytesRead = 0;
  let lines = 0;
  let pending: string[] = [];
  let pendingChars = 0;
  try {
    for (;;) {
      if (options.signal?.aborted) throw cancelled(fileName);
      const { done, value } = await reader.read();
      let text: string;
      try {
        text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      } catch {
        if (done)
          throw encodingError(fileName, encoding, bytesRead, encoding === 'utf-8' ? lines + 1 : undefined);
        const bad = firstBadOffset(value, encoding);
        const line = encoding === 'utf-8' ? lines + countNewlines(value, bad) + 1 : undefined;
        throw encodingError(fileName, encoding, bytesRead + bad, line);
      }
      if (!done) {
        bytesRead += value.length;
        if (encoding === 'utf-8') lines += countNewlines(value);
      }
      if (text.includes('\u0000')) {
        throw new DataError({
          code: 'binary',
          file: fileName,
          message: `${fileName} contains binary data (NUL characters) before byte ${bytesRead}: it is not a text file.`,
        });
      }
      if (text) {
        pending.push(text);
        pendingChars += text.length;
      }
      if (pendingChars >= (options.chunkChars ?? CHUNK_CHARS) || (done && pending.length)) {
        yield { text: pending.join(''), bytesRead };
        pending = [];
        pendingChars = 0;
      }
      if (done) return;
    }
  } finally {
    // Stopped early (a bad row, a cancel): close the file instead of leaving its stream open.
    await reader.cancel().catch(() => {});
  }
}

export function cancelled(fileName: string): DataError {
  return new DataError({
    code: 'cancelled',
    file: fileName,
    message: `The import of ${fileName} was cancelled.`,
  });
}
