// The import worker: parses dropped files and writes them to IndexedDB off the main thread, and computes the
// cleaning report (which reads every row) for the mapping the person is looking at.
import { toDataErrorInfo } from '../core/data/errors';
import { analyzeGenerative } from '../core/data/generative';
import { prepareDataset, type PartRows } from '../core/data/prepare';
import { getDataset, readGenerativeStoredParts } from '../core/storage/datasets';
import { openWebTuneDB } from '../core/storage/db';
import { importDataset } from '../core/storage/import-dataset';
import type { ImportEvent, ImportRequest } from './import-protocol';

const post = (event: ImportEvent) => postMessage(event);
const running = new Map<number, AbortController>();
const dbPromise = openWebTuneDB();
// A database that cannot open is reported with each request that needs it, not as an unhandled rejection.
dbPromise.catch(() => {});
/** Progress is sent at most this often: the page has nothing to gain from more. */
const PROGRESS_MS = 100;

/** Runs `work` while holding the Web Lock of that name (the lock is released when it settles). */
function holdWebLock<T>(name: string, work: () => Promise<T>): Promise<T> {
  return navigator.locks.request(name, work) as Promise<T>;
}

async function runImport(request: Extract<ImportRequest, { type: 'import' }>) {
  const controller = new AbortController();
  running.set(request.requestId, controller);
  let last = 0;
  try {
    const dataset = await importDataset(
      await dbPromise,
      request.files.map((f) => ({ name: f.name, blob: f })),
      {
        signal: controller.signal,
        skipBrokenLines: request.skipBrokenLines,
        // Held until the import ends, so the next start of the app knows a staging record without it is torn.
        holdLock: navigator.locks ? holdWebLock : undefined,
        onProgress: (progress) => {
          const now = performance.now();
          if (now - last < PROGRESS_MS) return;
          last = now;
          post({ type: 'progress', requestId: request.requestId, progress });
        },
      },
    );
    post({ type: 'imported', requestId: request.requestId, dataset });
  } catch (err) {
    post({
      type: 'failed',
      requestId: request.requestId,
      error: toDataErrorInfo(err, request.files[0]?.name),
    });
  } finally {
    running.delete(request.requestId);
  }
}

/**
 * The rows of the dataset last analysed (and its TXT files' whole texts once one document per file was asked
 * for): changing an option re-runs the report without reading them again.
 */
let cached: { id: string; roles: string; documents: boolean; parts: PartRows[] } | undefined;

async function runAnalysis(request: Extract<ImportRequest, { type: 'analyze' }>) {
  try {
    const db = await dbPromise;
    const meta = await getDataset(db, request.datasetId);
    if (!meta) throw new Error(`Dataset ${request.datasetId} is not stored.`);
    const roles = meta.parts.map((p) => p.role).join();
    const generativeData = request.config.purpose === 'generative';
    const txtDocuments = request.config.txtDocuments ?? 'line';
    const documents = generativeData && txtDocuments === 'file';
    if (cached?.id !== meta.id || cached.roles !== roles || (documents && !cached.documents)) {
      cached = undefined; // let the previous dataset's rows go before reading the next
      cached = { id: meta.id, roles, documents, parts: await readGenerativeStoredParts(db, meta, documents) };
    }
    const { report } = prepareDataset(cached.parts, request.config);
    const generative = generativeData
      ? analyzeGenerative(cached.parts, request.config.split, txtDocuments)
      : undefined;
    post({
      type: 'analysis',
      requestId: request.requestId,
      datasetId: request.datasetId,
      report,
      generative,
    });
  } catch (err) {
    post({ type: 'failed', requestId: request.requestId, error: toDataErrorInfo(err) });
  }
}

onmessage = (message: MessageEvent<ImportRequest>) => {
  const request = message.data;
  if (request.type === 'import') void runImport(request);
  else if (request.type === 'analyze') void runAnalysis(request);
  else running.get(request.importId)?.abort();
};
