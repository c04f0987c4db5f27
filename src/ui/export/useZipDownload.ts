import { useState } from 'react';
import type { ExportEntry } from '../../core/export/listing';
import { askResults, type ResultsRequestBody } from '../../worker/results-client';
import { saveBytes } from './save-file';

export interface SavedZip {
  fileName: string;
  files: ExportEntry[];
  bytes: number;
}

/** Asks the worker for a zip (the model, the training project), saves it, and keeps what was saved or why not. */
export function useZipDownload() {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<SavedZip>();
  const [error, setError] = useState<string>();

  const download = async (request: ResultsRequestBody) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const reply = await askResults(request, 'zip');
      saveBytes(reply.zip, reply.fileName, 'application/zip');
      setDone({ fileName: reply.fileName, files: reply.files, bytes: reply.zip.byteLength });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return { busy, done, error, download };
}
