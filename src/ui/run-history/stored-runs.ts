// Connects the Runs panel to the runs store: the fields of a stored run record (src/core/storage/run-types.ts's
// RunRecord) that the panel reads, and an adapter from the store's functions to RunsSource. Typed
// structurally, so this file does not depend on the store module's path or extra fields.
import { openWebTuneDB } from '../../core/storage/db';
import { deleteRun, listRuns, readRunLogs, renameRun } from '../../core/storage/runs';
import type { RunLogEntry, RunsSource, RunSummary } from './types';

export interface StoredRun {
  id: string;
  name: string;
  createdAt: number;
  status: string;
  error?: string;
  modelName: string;
  datasetName: string;
  /** TrainingArguments under transformers' names. */
  args: object;
  /** A LoRA run's adapter settings under PEFT's LoraConfig names. */
  lora?: object;
  backend?: string;
  latestEval?: Record<string, number>;
  /** Longest tokenised sequence kept (the form's max_length). */
  maxLength?: number;
  /** The mapping, cleaning and split the run's data went through. */
  datasetConfig?: { split?: { validationShare?: number; seed?: number }; cleaning?: object };
  /** The PEFT adapter a LoRA run continued, and the run a continued run started from. */
  loraAdapter?: string;
  continuedFrom?: { runName: string; step: number };
}

export interface StoredRunsApi {
  list(): Promise<StoredRun[]>;
  logs(id: string): Promise<RunLogEntry[]>;
  rename(id: string, name: string): Promise<unknown>;
  remove(id: string): Promise<void>;
}

/** A stored run as the list shows it: scalar settings only, the latest evaluation's figures as the final ones. */
export function runSummary(run: StoredRun): RunSummary {
  const settings: RunSummary['settings'] = {};
  for (const [name, value] of Object.entries(run.args)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      settings[name] = value as string | number | boolean | null;
    }
  }
  // A LoRA run's adapter settings, under PEFT's names, beside the trainer's (the comparison lists them).
  for (const [name, value] of Object.entries(run.lora ?? {}) as [string, unknown][])
    settings[name] = Array.isArray(value) ? value.join(',') : (value as string | number | boolean | null);
  if (run.backend) settings.backend = run.backend;
  // Everything else that makes a run what it is, so that a comparison shows every difference.
  settings.model = run.modelName;
  settings.dataset = run.datasetName;
  if (run.maxLength !== undefined) settings.max_length = run.maxLength;
  const split = run.datasetConfig?.split;
  if (split?.validationShare !== undefined) settings.validation_share = split.validationShare;
  if (split?.seed !== undefined) settings.split_seed = split.seed;
  for (const [name, value] of Object.entries(run.datasetConfig?.cleaning ?? {}) as [string, unknown][])
    if (['string', 'number', 'boolean'].includes(typeof value))
      settings[`cleaning.${name}`] = value as string;
  if (run.loraAdapter) settings.lora_adapter = run.loraAdapter;
  if (run.continuedFrom)
    settings.continued_from = `${run.continuedFrom.runName} (step ${run.continuedFrom.step})`;
  return {
    id: run.id,
    name: run.name,
    createdAt: run.createdAt,
    status: run.status === 'failed' && run.error ? `failed: ${run.error}` : run.status,
    model: run.modelName,
    dataset: run.datasetName,
    settings,
    ...(run.latestEval ? { final: run.latestEval } : {}),
  };
}

export function runsSource(api: StoredRunsApi): RunsSource {
  return {
    list: async () => (await api.list()).map(runSummary),
    history: (id) => api.logs(id),
    rename: async (id, name) => {
      await api.rename(id, name);
    },
    remove: (id) => api.remove(id),
  };
}

/** The runs kept in this browser's IndexedDB (the database opens on first use). */
export function browserRunsSource(): RunsSource {
  let db: ReturnType<typeof openWebTuneDB> | undefined;
  const open = () => (db ??= openWebTuneDB());
  return runsSource({
    list: async () => listRuns(await open()),
    logs: async (id) => readRunLogs(await open(), id),
    rename: async (id, name) => renameRun(await open(), id, name),
    remove: async (id) => deleteRun(await open(), id),
  });
}
