// What an export is made of, as plain data: no tfjs, no DOM. The engine hands over its weights as a TensorMap
// (transformers names), the trainer its log history and final evaluation, the data step its summary.
import type { TensorMap } from '../hub/tensors';
import type { IssueKind } from '../data/prepare';
import type { Architecture, HFConfig } from '../models/types';

export interface BaseModelInfo {
  /** The Hub id (`prajjwal1/bert-tiny`) when the model came from the Hub; absent for dropped files or a URL. */
  hubId?: string;
  revision?: string;
  /** How the card names the base model when there is no Hub id (a URL or a folder name). */
  displayName?: string;
  architecture: Architecture;
  /** The base model's config.json as it was loaded. */
  config: HFConfig;
  /** The base model's files by name; the tokenizer files among them are copied into the export. */
  files: ReadonlyMap<string, Uint8Array>;
}

/** Hyper-parameters under the names transformers' TrainingArguments uses; WebTune-only ones may be added. */
export interface TrainingHyperparameters {
  learning_rate: number;
  num_train_epochs: number;
  per_device_train_batch_size: number;
  per_device_eval_batch_size?: number;
  gradient_accumulation_steps?: number;
  weight_decay: number;
  warmup_ratio?: number;
  warmup_steps?: number;
  lr_scheduler_type: string;
  max_grad_norm?: number;
  optim?: string;
  adam_beta1?: number;
  adam_beta2?: number;
  adam_epsilon?: number;
  max_steps?: number;
  label_smoothing_factor?: number;
  /** The tokenizer's truncation length during training (not a TrainingArguments field, but the usual name). */
  max_seq_length?: number;
  seed: number;
  [name: string]: string | number | boolean | null | undefined;
}

/** One row of trainer_state.json's log_history: `loss` / `learning_rate` for training logs, `eval_*` for evals. */
export interface LogHistoryEntry {
  step: number;
  epoch: number;
  [metric: string]: number;
}

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Validation rows whose true label is this one. */
  support: number;
}

/** The evaluation of the exported weights on the validation split. */
export interface FinalEvaluation {
  step: number;
  epoch: number;
  accuracy: number;
  macroF1: number;
  weightedF1?: number;
  loss?: number;
  /** One entry per label, in the label order. */
  perClass: ClassMetrics[];
  /** confusionMatrix[true][predicted], in the label order. */
  confusionMatrix?: number[][];
}

/** Something the import checks found in the data, and what was done about it. */
export interface DataIssue {
  /** The cleaning report's own kind (one union, so the card's phrases cannot drift from the report's kinds). */
  kind: IssueKind;
  rows: number;
  /** What happened to those rows: `dropped`, `kept`, `truncated`, … */
  action: string;
  detail?: string;
}

export interface DatasetSummary {
  fileName: string;
  /** A Hub dataset id, when the data is a known Hub dataset; it goes into the card's `datasets`. */
  hubId?: string;
  textColumns: string[];
  labelColumn: string;
  /** Rows read from the file, before cleaning. */
  rowsRead: number;
  trainRows: number;
  validationRows: number;
  split:
    | { kind: 'stratified'; validationFraction: number; seed: number }
    | { kind: 'file'; validationFileName: string };
  /** Rows per label in each split, in the label order. */
  labelCounts: { label: string; train: number; validation: number }[];
  issues: DataIssue[];
}

export interface RunInfo {
  /** The backend as the run recorded it; the card and training_args.json keep only its facts (exportedBackend). */
  backend: string;
  /** Where the run trained: the app (also when absent: runs stored before this field) or the CLI in Node. */
  trainedIn?: 'browser' | 'cli';
  webtuneVersion: string;
  tfjsVersion?: string;
  /** ISO dates, when known. */
  startedAt?: string;
  finishedAt?: string;
  trainRuntimeSeconds?: number;
}

export interface ExportInputs {
  /** The exported model's name (the folder and the card's model-index name). */
  modelName: string;
  baseModel: BaseModelInfo;
  /** The labels in training order: label i is logit i. */
  labels: string[];
  /** The fine-tuned weights by transformers name, as the engine holds them. */
  weights: TensorMap;
  dataset: DatasetSummary;
  hyperparameters: TrainingHyperparameters;
  logHistory: LogHistoryEntry[];
  finalEvaluation: FinalEvaluation;
  run: RunInfo;
  /** Extra card tags besides WebTune's own. */
  tags?: string[];
  license?: string;
  language?: string[];
}
