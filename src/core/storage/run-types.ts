// What a stored training run looks like. Plain data only (no tfjs), so the page can read runs directly.
import type { TensorMap } from '../hub/tensors';
import type { TrainingArguments } from '../train/arguments';
import type { LoraConfig } from '../lora/config';

/**
 * running: a worker is training it (or was, when the tab closed: see `isInterrupted`); paused: stopped by Pause,
 * resumable; stopped: ended early by Stop; finished: all epochs (or early stopping) done; failed: see `error`.
 */
export type RunStatus = 'running' | 'paused' | 'stopped' | 'finished' | 'failed';

/** Where the run's model came from, so a resume after a reload can load it again. */
export type RunModelSource =
  | { kind: 'hub'; id: string; revision: string; endpoint: string }
  | { kind: 'url'; url: string }
  | { kind: 'files' };

/** One log_history record: `step`, `epoch` and numbers (loss, learning_rate, eval_loss, …). */
export type RunLogEntry = Record<string, number> & { step: number; epoch: number };

export interface RunRecord {
  id: string;
  /** What the list shows; the person may rename it. */
  name: string;
  createdAt: number;
  updatedAt: number;
  status: RunStatus;
  /** The failure's message when status is 'failed'. */
  error?: string;
  /** The model's display name (Hub id or folder) and how to load it again. */
  modelName: string;
  modelSource: RunModelSource;
  /** The model's architecture (bert, distilbert, roberta). */
  architecture: string;
  datasetId: string;
  datasetName: string;
  /** Class names, index = label id. */
  labels: string[];
  trainExamples: number;
  evalExamples: number;
  /** Longest tokenised sequence kept (special tokens included). */
  maxLength: number;
  /** The resolved arguments, under transformers' TrainingArguments names. */
  args: TrainingArguments;
  /** With args.mode 'lora': the LoRA fields as set (a resume attaches the same adapters before restoring). */
  lora?: Partial<LoraConfig>;
  /** The backend that trained it, in words (e.g. "wasm (as requested)"). */
  backend: string;
  totalSteps: number;
  globalStep: number;
  /** Seconds spent training, summed over pauses and resumes. */
  trainSeconds: number;
  /** Number of records in runLogs. */
  logCount: number;
  /** The latest evaluation record (eval_loss, eval_accuracy, eval_f1, …). */
  latestEval?: RunLogEntry;
  /** The final summary record (train_runtime, train_loss, …) once finished. */
  summary?: RunLogEntry;
  /** References into the checkpoints store: [id, 'last'] resumes, [id, 'best'] holds the best weights. */
  lastCheckpoint?: { step: number; savedAt: number };
  bestCheckpoint?: { step: number; metric: string; value: number; savedAt: number };
}

export interface RunLogRecord {
  runId: string;
  /** Position in the run's log_history. */
  index: number;
  record: RunLogEntry;
}

export type CheckpointKind = 'last' | 'best';

export interface CheckpointRecord {
  runId: string;
  kind: CheckpointKind;
  step: number;
  savedAt: number;
  /** 'last': a whole TrainerCheckpoint in encodeCheckpoint's format (weights, optimizer, data position). */
  bytes?: Uint8Array;
  /** 'best': the weights of the best evaluation, by transformers tensor name. */
  weights?: TensorMap;
}
