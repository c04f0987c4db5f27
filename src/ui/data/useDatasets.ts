// The Data step's state: the stored datasets (read on the page with idb), and the import worker that imports
// files and computes cleaning reports. Every failure becomes an alert; nothing here throws into React.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DataErrorInfo } from '../../core/data/errors';
import type { GenerativeAnalysis } from '../../core/data/generative';
import type { CleaningReport, DatasetConfig, FileRole } from '../../core/data/prepare';
import {
  deleteDataset,
  getDataset,
  listDatasets,
  importLockName,
  removeStaleStaging,
  saveConfirmedConfig,
  saveDatasetRoles,
} from '../../core/storage/datasets';
import type { DatasetMeta } from '../../core/storage/dataset-types';
import { openWebTuneDB, type WebTuneDatabase } from '../../core/storage/db';
import type { ImportProgress } from '../../core/storage/import-dataset';
import type { RunRecord } from '../../core/storage/run-types';
import { listRuns } from '../../core/storage/runs';
import { requestPersistence, storageQuota, type StorageQuota } from '../../core/storage/quota';
import { startImportWorker, type ImportWorker } from '../../worker/import-client';
import type { ImportEvent } from '../../worker/import-protocol';

export interface ImportState {
  requestId: number;
  files: string[];
  progress?: ImportProgress;
}

export interface ImportAlert extends DataErrorInfo {
  /** For broken JSONL lines: the files to import again, skipping them. */
  retryFiles?: File[];
}

/**
 * The confirmation before a dataset is deleted. Runs trained on it keep their models (Evaluate, Playground and
 * Export still work, on a labelled file), but cannot be resumed or started again, so the question names them.
 */
export function deleteDatasetQuestion(name: string, runs: readonly Pick<RunRecord, 'name'>[]): string {
  const head = `Delete the dataset ${name} and its rows? This cannot be undone.`;
  if (runs.length === 0) return head;
  const listed = runs
    .slice(0, 5)
    .map((r) => `“${r.name}”`)
    .join(', ');
  const more = runs.length > 5 ? ` and ${runs.length - 5} more` : '';
  return `${head} ${runs.length} run${runs.length === 1 ? ' was' : 's were'} trained on it (${listed}${more}): they keep their models, but can no longer be resumed, started again or evaluated on its validation rows.`;
}

/** `onImported` is called with each dataset an import stores (the panel selects it). */
/** `onFirstList` gets the stored datasets the first time they are read (the panel restores its selection). */
export function useDatasets(
  onImported?: (dataset: DatasetMeta) => void,
  onFirstList?: (datasets: DatasetMeta[]) => void,
) {
  const [datasets, setDatasets] = useState<DatasetMeta[]>();
  const [importing, setImporting] = useState<ImportState>();
  const [alerts, setAlerts] = useState<ImportAlert[]>([]);
  const [notice, setNotice] = useState<string>();
  const [quota, setQuota] = useState<StorageQuota>({});
  const [analysis, setAnalysis] = useState<{
    datasetId: string;
    requestId: number;
    report?: CleaningReport;
    generative?: GenerativeAnalysis;
  }>();
  const worker = useRef<ImportWorker | null>(null);
  const db = useRef<Promise<WebTuneDatabase> | null>(null);
  const pendingFiles = useRef(new Map<number, File[]>());
  const importedListener = useRef(onImported);
  const firstListListener = useRef(onFirstList);
  const listedOnce = useRef(false);
  useEffect(() => {
    importedListener.current = onImported;
    firstListListener.current = onFirstList;
  });

  const refresh = useCallback(async () => {
    try {
      const handle = await db.current!;
      const list = await listDatasets(handle);
      setDatasets(list);
      if (!listedOnce.current) {
        listedOnce.current = true;
        firstListListener.current?.(list);
      }
      setQuota(await storageQuota());
    } catch (err) {
      setAlerts((a) => [
        ...a,
        { code: 'storage', message: `The stored datasets cannot be read: ${String(err)}` },
      ]);
      setDatasets([]);
    }
  }, []);

  const onEvent = useCallback(
    (event: ImportEvent) => {
      if (event.type === 'progress') {
        setImporting((s) => (s && s.requestId === event.requestId ? { ...s, progress: event.progress } : s));
      } else if (event.type === 'imported') {
        pendingFiles.current.delete(event.requestId);
        setImporting(undefined);
        importedListener.current?.(event.dataset);
        void refresh();
      } else if (event.type === 'analysis') {
        setAnalysis((a) =>
          a && a.requestId === event.requestId
            ? { ...a, report: event.report, generative: event.generative }
            : a,
        );
      } else {
        const files = pendingFiles.current.get(event.requestId);
        pendingFiles.current.delete(event.requestId);
        // requestId 0: the worker itself failed, so whatever it was importing has stopped.
        setImporting((s) =>
          s && (s.requestId === event.requestId || event.requestId === 0) ? undefined : s,
        );
        const alert: ImportAlert = { ...event.error };
        if (event.error.code === 'broken-jsonl-lines' && event.error.count && files) alert.retryFiles = files;
        // A cancel is the person's own choice: a status line, not an alert.
        if (event.error.code === 'cancelled') setNotice(`${event.error.message} Nothing was kept.`);
        else setAlerts((a) => [...a, alert]);
        void refresh();
      }
    },
    [refresh],
  );

  useEffect(() => {
    db.current = openWebTuneDB();
    worker.current = startImportWorker(onEvent);
    void (async () => {
      try {
        // An import in another tab holds its lock; a staging record without one was torn by a crash.
        const held = navigator.locks
          ? new Set(((await navigator.locks.query()).held ?? []).map((l) => l.name))
          : undefined;
        await removeStaleStaging(await db.current!, held && ((id: string) => held.has(importLockName(id))));
      } catch {
        // A failure here only leaves staging records hidden; the list below still works.
      }
      await requestPersistence();
      await refresh();
    })();
    return () => {
      worker.current?.terminate();
      worker.current = null;
      void db.current?.then((handle) => handle.close()).catch(() => {});
    };
  }, [onEvent, refresh]);

  const importFiles = useCallback((files: File[], skipBrokenLines = false) => {
    if (!worker.current || files.length === 0) return;
    setAlerts([]);
    setNotice(undefined);
    const requestId = worker.current.send({ type: 'import', files, skipBrokenLines });
    pendingFiles.current.set(requestId, files);
    setImporting({ requestId, files: files.map((f) => f.name) });
  }, []);

  const cancelImport = useCallback(() => {
    if (importing) worker.current?.send({ type: 'cancel', importId: importing.requestId });
  }, [importing]);

  const analyze = useCallback((datasetId: string, config: DatasetConfig) => {
    if (!worker.current) return;
    const requestId = worker.current.send({ type: 'analyze', datasetId, config });
    setAnalysis({ datasetId, requestId });
  }, []);

  /** Asks first (naming the runs trained on it), then deletes. Resolves with whether it was deleted. */
  const remove = useCallback(
    async (id: string): Promise<boolean> => {
      let deleted = false;
      try {
        const handle = await db.current!;
        const meta = await getDataset(handle, id);
        if (!meta) return false;
        const runs = (await listRuns(handle)).filter((r) => r.datasetId === id);
        if (!window.confirm(deleteDatasetQuestion(meta.name, runs))) return false;
        await deleteDataset(handle, id);
        deleted = true;
      } catch (err) {
        setAlerts((a) => [
          ...a,
          { code: 'storage', message: `The dataset could not be deleted: ${String(err)}` },
        ]);
      }
      await refresh();
      return deleted;
    },
    [refresh],
  );

  const confirm = useCallback(async (id: string, config: DatasetConfig) => {
    await saveConfirmedConfig(await db.current!, id, config);
  }, []);

  const setRoles = useCallback(
    async (id: string, roles: FileRole[]) => {
      try {
        await saveDatasetRoles(await db.current!, id, roles);
      } catch (err) {
        setAlerts((a) => [
          ...a,
          { code: 'storage', message: `The file roles could not be saved: ${String(err)}` },
        ]);
      }
      await refresh();
    },
    [refresh],
  );

  const dismissAlerts = useCallback(() => setAlerts([]), []);

  return {
    datasets,
    importing,
    alerts,
    notice,
    quota,
    analysis,
    importFiles,
    cancelImport,
    analyze,
    remove,
    confirm,
    setRoles,
    dismissAlerts,
  };
}
