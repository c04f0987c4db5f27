// A file of the export whose bytes are produced in pieces while it is written (to disk or into the zip),
// for files made mostly of weights: the pieces are views on arrays already in memory or short-lived
// conversions, so writing the file never holds a second copy of the model.
export interface StreamedFile {
  byteLength: number;
  /** The file's bytes in order; each call starts again from the beginning. */
  chunks(): Iterable<Uint8Array>;
}

export type StreamedFiles = Map<string, StreamedFile>;

/** The whole file in one array, for tests and small files (this is the copy streaming avoids). */
export function collectStreamedFile(file: StreamedFile): Uint8Array {
  const out = new Uint8Array(file.byteLength);
  let at = 0;
  for (const chunk of file.chunks()) {
    if (at + chunk.byteLength > out.byteLength) {
      throw new Error(`the streamed file produced more than its announced ${file.byteLength} bytes`);
    }
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  if (at !== file.byteLength) {
    throw new Error(`the streamed file produced ${at} bytes, not its announced ${file.byteLength}`);
  }
  return out;
}
