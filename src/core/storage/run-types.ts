// What a stored training run looks like. Plain data only (no tfjs), so the page can read runs directly.
import type { DatasetConfig } from '../data/prepare';
import type {
  DatasetSummary,
  FinalEvaluation,
  LogHistoryEntry,
  RunInfo,
  TrainingHyperparameters,
} from '../export/types';
import type { CausalLmRunDescription } from '../export/project';
import type { TensorMap } from '../hub/tensors';
import type { TrainingArguments } from '../train/arguments';
import type { LoraConfig } from '../lora/config';
import type { CausalLmDataSummary, CausalLmFinalEvaluation } from '../export/causal-lm-folder';
import type { GenerativeKind } from '../data/generative';
import type { CausalLmDataOptions } from '../train/causal-lm-examples';

/**
 * What is stored. running: a worker is training it (or was, when the tab closed: see `runState`); paused: stopped
 * by Pause, resumable; stopped: ended early by Stop; finished: all epochs (or early stopping) done; failed: see
 * `error`.
 */
export type RunStatus = 'running' | 'paused' | 'stopped' | 'finished' | 'failed';

/** What the page shows: the stored status, with `interrupted` for a 'running' run that no tab is training. */
export type RunState = RunStatus | 'interrupted';

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
  /** The mapping, cleaning and split the run was trained with (the dataset's confirmed config may change later). */
  datasetConfig?: DatasetConfig;
  /** Class names, index = label id. */
  labels: string[];
  trainExamples: number;
  evalExamples: number;
  /** Longest tokenised sequence kept (special tokens included). */
  maxLength: number;
  /** The resolved arguments, under transformers' TrainingArguments names. */
  args: TrainingArguments;
  /** What the run trains; absent: sequence-classification (every run stored before causal LMs). */
  task?: 'sequence-classification' | 'causal-lm';
  /**
   * causal-lm: the data options as given when it started (TRL's names; block_size, packing, the loss masks),
   * then as resolved once its data was read: a resume prepares the data with them and checks it makes the same
   * examples.
   */
  causalLm?: Partial<CausalLmDataOptions>;
  /** causal-lm: what its data was, once read (the kind, over-long rows and their lost tokens, ChatML added). */
  causalLmData?: {
    kind: GenerativeKind;
    tooLong?: { rows: number; tokensLost: number };
    chatTemplateAdded: boolean;
    /** Tokens packing dropped at the end of each split. */
    remainderDropped: { train: number; validation: number };
  };
  /** causal-lm: the final evaluation of the weights it ended with (what the export's metrics.json holds). */
  finalEvaluation?: Omit<CausalLmFinalEvaluation, 'samples'>;
  /** With args.mode 'lora': the LoRA fields as set (a resume attaches the same adapters before restoring). */
  lora?: Partial<LoraConfig>;
  /**
   * With args.mode 'lora': the PEFT adapter (loaded in the Model step) the run continues. `lora` is its config,
   * and its values are attached at the start instead of new adapters (a resume restores them from a checkpoint).
   */
  loraAdapter?: string;
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
  /**
   * Pointers into the checkpoints store. `lastCheckpoint.key` names the record a resume reads ([id, key]; older
   * runs stored it as 'last'); [id, 'best'] holds the best evaluation's weights; [id, 'final'] the model the run
   * ended with (finished, stopped or paused), which Evaluate, Playground and Export open.
   */
  lastCheckpoint?: { step: number; savedAt: number; key?: string };
  bestCheckpoint?: { step: number; metric: string; value: number; savedAt: number };
  finalModel?: { step: number; savedAt: number };
  /** A run that continued training from another run's final weights (not from the base model's). */
  continuedFrom?: { runId: string; runName: string; step: number };
  /** Bytes each stored checkpoint record takes (weights and moments; the logs are small). */
  sizes?: Partial<Record<'last' | 'best' | 'final', number>>;
  /**
   * A causal-LM run: its generative rows after cleaning and the split and how they became examples, what its
   * Trainer project needs ("Download as a training project"). Absent for a classifier's run.
   */
  causalLmProject?: CausalLmRunDescription;
}

export interface RunLogRecord {
  runId: string;
  /** Position in the run's log_history. */
  index: number;
  record: RunLogEntry;
}

/** 'last' (or a `last@…` slot, see RunRecord.lastCheckpoint), 'best' or 'final'. */
export type CheckpointKind = string;

export interface CheckpointRecord {
  runId: string;
  kind: CheckpointKind;
  step: number;
  savedAt: number;
  /** last: a whole TrainerCheckpoint in encodeCheckpoint's format (weights, optimizer, data position). */
  bytes?: Uint8Array;
  /**
   * best: the weights of the best evaluation; final: those the run ended with; by transformers tensor name. For
   * a LoRA run only what trains: `<module path>.lora_A.weight` / `.lora_B.weight` and the modules_to_save
   * variables (the base model's weights are not copied; they are loaded again from the base model).
   */
  weights?: TensorMap;
  /** final: what the export writes about the run besides its weights (plain data, see worker/results-state). */
  results?: StoredRunResults;
}

/** The plain-data part of a run's results model, kept with its final weights so a later page can rebuild it. */
export interface StoredRunResults {
  /** Whether examples are pairs of texts. */
  pairs: boolean;
  training?: TrainingRecord;
  /**
   * A LoRA run's adapter config as attached (PEFT's defaults resolved): the stored weights are its adapters and
   * saved modules, which a later page attaches to the base model again.
   */
  lora?: LoraConfig;
  /** A causal-LM run's record for its export (the folder causal-lm-folder.ts builds) and the Evaluate table. */
  causalLm?: CausalLmTrainingRecord;
}

/** What a causal-LM run knows that its export writes (model card, training_args.json, metrics.json). */
export interface CausalLmTrainingRecord {
  dataset: CausalLmDataSummary;
  hyperparameters: TrainingHyperparameters;
  logHistory: LogHistoryEntry[];
  /** Absent when the run ended paused (it has not been evaluated). */
  finalEvaluation?: CausalLmFinalEvaluation;
  run: RunInfo;
  /** ChatML as chat_template.jinja when the model had no chat template and the data is chat. */
  chatTemplateAdded: boolean;
}

/** What a training run knows that the export writes into the model card and training files. */
export interface TrainingRecord {
  dataset: DatasetSummary;
  hyperparameters: TrainingHyperparameters;
  logHistory: LogHistoryEntry[];
  /** The trainer's last evaluation of these weights; the Evaluate step's figures are used when absent. */
  finalEvaluation?: FinalEvaluation;
  run: RunInfo;
}
