// The typed messages between the page and the training worker. Only small records cross this boundary.
import type { TaskName } from '../core/models/registry';
import type { BackendInfo, BackendRequest } from '../core/backend-info';
import type { ExportEntry } from '../core/export/listing';
import type { DatasetConfig } from '../core/data/prepare';
import type { ModelLoadErrorCode } from '../core/hub/errors';
import type { FileProgress } from '../core/hub/source';
import type { EvaluationDetails, ResultsModelInfo } from './results-types';
import type { RunLogEntry, RunModelSource, RunRecord } from '../core/storage/run-types';
import type { TrainingArguments, TrainingMode } from '../core/train/arguments';
import type { LoraConfig, LoraTaskType } from '../core/lora/config';
import type { LoraExportKind } from '../core/lora/export';
import type { CausalLmDataOptions } from '../core/train/causal-lm-examples';
import type { CausalLmFinalEvaluation } from '../core/export/causal-lm-folder';
import type { StepTiming } from '../core/train/time-estimate';

export type { FileProgress };

/** Where a model comes from: a Hub id (through the configured endpoint), a folder URL, or a dropped folder. */
export type ModelSourceSpec =
  | { kind: 'hub'; id: string; revision: string; endpoint: string }
  | { kind: 'url'; url: string }
  | { kind: 'files'; files: File[] };

/** What the page shows about a loaded model. */
export interface ModelFacts {
  name: string;
  /** encoder: classifies text (trained in the Train step); decoder: generates text (the Playground). */
  kind: 'encoder' | 'decoder';
  architecture: string;
  modelType: string;
  parameters: number;
  maxLength: number;
  layers: number;
  hiddenSize: number;
  vocabSize: number;
  /** The labels of the checkpoint's own head, when it has one. */
  labels: string[];
  /** Whether the tokenizer has a chat template (decoders: the Playground then shows a chat). */
  chatTemplate: boolean;
  /** A decoder's own generation defaults (generation_config.json over transformers' defaults). */
  generation?: PlaygroundGenerationSettings;
}

/** What the page shows about a PEFT adapter loaded onto the loaded model (adapter_config.json's fields). */
export interface AdapterFacts {
  /** The Hub id or folder name. */
  name: string;
  r: number;
  loraAlpha: number;
  /** target_modules as adapter_config.json lists them ("all-linear" kept as is). */
  targets: string[] | 'all-linear';
  taskType: LoraTaskType;
  modulesToSave: string[];
  /** base_model_name_or_path, when the adapter names its base. */
  baseModel: string | null;
  /** A SEQ_CLS adapter's class names (its head's rows), for a classifier. */
  labels: string[];
}

export type WorkerRequest =
  | { type: 'init-backend'; prefer: BackendRequest }
  | { type: 'load-model'; source: ModelSourceSpec }
  /** Loads a PEFT LoRA adapter onto the loaded model: the Playground and Evaluate then use base + adapter. */
  | { type: 'load-adapter'; source: ModelSourceSpec }
  | ResultsRequest
  | GenerationRequest
  | TrainingRequest;

export type WorkerEvent =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'model-progress'; progress: FileProgress }
  | { type: 'model-loaded'; facts: ModelFacts }
  | { type: 'adapter-loaded'; facts: AdapterFacts }
  | {
      type: 'error';
      context: 'backend' | 'model' | 'adapter';
      message: string;
      /** A model that would not load: why (core/hub/errors.ts), e.g. `gated` for a gated or private model. */
      code?: ModelLoadErrorCode;
    }
  | ResultsEvent
  | GenerationEvent
  | TrainingEvent;

// --- Results (Evaluate, Playground, Export): requests on the classifier registered in results-state.ts.
// Each request carries an id; the worker answers with one results-reply or results-error of the same id.
export type ResultsRequest =
  | { type: 'results-info'; id: number }
  /** Registers the loaded checkpoint's own classification head, unchanged, as the results model. */
  | { type: 'results-use-loaded'; id: number }
  /** Makes a stored run's model (the one it ended with, or its last checkpoint's) the results model. */
  | { type: 'results-open-run'; id: number; runId: string }
  | { type: 'results-predict'; id: number; texts: string[]; pairs?: string[] }
  | { type: 'results-predict-file'; id: number; file: File }
  /** Scores the validation set, or a labelled file when one is given. */
  | { type: 'results-evaluate'; id: number; file?: File }
  /** The zip of the results model; a LoRA model exports its adapter, the merged model or both (default). */
  | { type: 'results-export'; id: number; loraExport?: LoraExportKind }
  /** What each training mode trains and holds for the loaded encoder (the Train form, before a run). */
  | { type: 'results-budget'; id: number; numLabels: number; lora: Partial<LoraConfig> }
  /** The stored run of the results model as a Hugging Face Trainer project (train.py, data/, …), zipped. */
  | { type: 'results-project'; id: number; includeData: boolean }
  /** The last causal-LM run's decoder (training-session.ts keeps it), or null. */
  | { type: 'causal-lm-info'; id: number }
  /** Its Hugging Face folder (causal-lm-folder.ts), zipped; with LoRA the adapter, the merged model or both. */
  | { type: 'causal-lm-export'; id: number; loraExport?: LoraExportKind }
  /** The last causal-LM run as a Hugging Face Trainer project (results-project.ts), zipped. */
  | { type: 'causal-lm-project'; id: number; includeData: boolean }
  | MeasureStepTimeRequest;

/**
 * Before Start (the Train form): times a few forward and backward passes of the batches a run with these
 * settings would make, on the loaded model, without training anything. Only what shapes a pass is sent; the
 * page turns the reply into the run's estimated time for any epochs or accumulation. Refused while a run trains.
 */
export interface MeasureStepTimeRequest {
  type: 'measure-step-time';
  id: number;
  datasetId: string;
  args: Pick<TrainingArguments, 'per_device_train_batch_size' | 'mode'>;
  /** As StartTrainingRequest's: capped at the model's own limit. */
  maxLength: number;
  /** With args.mode 'lora': the LoRA fields set (a loaded PEFT adapter's config wins, as for a run). */
  lora?: Partial<LoraConfig>;
  /** A decoder's data options, as StartTrainingRequest's (they make its examples: blocks or padded rows). */
  causalLm?: Partial<CausalLmDataOptions>;
  /** As StartTrainingRequest's. */
  task?: TaskName;
}

/** What the worker measured: core/train/time-estimate.ts's StepTiming, and on which backend. */
export interface StepTimeMeasurement extends StepTiming {
  /** describeBackend's line, e.g. "wasm (SIMD, 2 threads)". */
  backend: string;
  /** Training examples of the dataset after cleaning (the steps are counted from them). */
  trainExamples: number;
}

/** What the page shows of the last causal-LM run's decoder (Export, Evaluate). */
export interface CausalLmResultsInfo {
  runId: string;
  modelName: string;
  kind: 'text' | 'instruction' | 'chat';
  /** The final evaluation (with the generation samples for instruction and chat data); absent while paused. */
  finalEvaluation?: CausalLmFinalEvaluation;
  lora?: { r: number; lora_alpha: number; target_modules: string[] };
}

/** One training mode's figures for the loaded model (training-budget.ts). */
export interface ModeBudget {
  trainable: number;
  /** Parameters of the model as trained (with LoRA, the adapters included). */
  total: number;
  /** "295k of 4.4M, 6.7 %". */
  share: string;
  /** core/lora/budget.ts's estimate: weights + gradients and two AdamW moments of what trains, float32. */
  memoryBytes: number;
  /** Set when the model is too big for full fine-tuning here: why this mode is not advised. */
  notAdvised?: string;
}

export interface TrainingBudget {
  numLabels: number;
  modes: Record<TrainingMode, ModeBudget>;
  /** lora when full fine-tuning's estimate is above limitBytes, else full. */
  defaultMode: TrainingMode;
  /** PEFT's default target_modules for the architecture. */
  defaultTargetModules: string[];
  limitBytes: number;
}

export type ResultsReply =
  | { kind: 'info'; info: ResultsModelInfo | null }
  | { kind: 'probabilities'; labels: string[]; probabilities: number[][] }
  | { kind: 'file'; fileName: string; rows: number; csv: Uint8Array }
  | { kind: 'evaluation'; details: EvaluationDetails }
  | { kind: 'zip'; fileName: string; files: ExportEntry[]; zip: Uint8Array }
  | { kind: 'budget'; budget: TrainingBudget }
  | { kind: 'causal-lm'; info: CausalLmResultsInfo | null }
  | { kind: 'step-time'; timing: StepTimeMeasurement };

export type ResultsEvent =
  | { type: 'results-reply'; id: number; reply: ResultsReply }
  | { type: 'results-error'; id: number; message: string };

// ---- Generation (a decoder's Playground) -------------------------------------------------------------------
// One request per completion or chat reply; the worker streams the text as it is made and ends with one
// generate-done (or generate-error) of the same id. generate-stop ends it after the current token.

/** The sampling settings the Playground shows, under transformers' GenerationConfig meanings. */
export interface PlaygroundGenerationSettings {
  maxNewTokens: number;
  doSample: boolean;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  /** Sampling seed: the same seed, prompt and settings give the same text. */
  seed?: number;
}

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A plain continuation of text, or the next assistant turn of a chat (rendered with the chat template). */
export type GenerationInput = { kind: 'text'; text: string } | { kind: 'chat'; messages: ChatTurn[] };

export type GenerationRequest =
  | {
      type: 'generate';
      id: number;
      input: GenerationInput;
      settings: PlaygroundGenerationSettings;
      /** fine-tuned: the last causal-LM run's decoder (the before / after view); base (default): the loaded one. */
      model?: 'base' | 'fine-tuned';
    }
  | { type: 'generate-stop'; id: number };

export type GenerationEvent =
  | { type: 'generate-text'; id: number; tokenId: number; text: string }
  | {
      type: 'generate-done';
      id: number;
      promptTokens: number;
      tokenIds: number[];
      finishReason: 'eos' | 'length' | 'aborted';
      seconds: number;
    }
  | { type: 'generate-error'; id: number; message: string };

// ---- Training (Train and Watch steps) ----------------------------------------------------------------------
// The page names a stored dataset; the worker reads its prepared examples from IndexedDB, tokenises them once,
// trains, stores the run (runs.ts) and posts one small event per log record. Nothing per row crosses.

export interface StartTrainingRequest {
  type: 'start-training';
  /** A dataset confirmed with "Use this dataset". */
  datasetId: string;
  /** Only the arguments the person set; the trainer fills in the rest. */
  args: Partial<TrainingArguments>;
  /** Longest tokenised sequence kept (special tokens included), capped at the model's own limit. */
  maxLength: number;
  /** How the loaded model can be loaded again for a resume after a reload. */
  modelSource: RunModelSource;
  /** With args.mode 'lora': the LoRA fields set (PEFT's defaults for the architecture fill in the rest). */
  lora?: Partial<LoraConfig>;
  /** A decoder's run (task causal-lm): the data options set; the rest default per kind of data and model. */
  causalLm?: Partial<CausalLmDataOptions>;
  /**
   * The task: a decoder trains as causal-lm unless sequence-classification is asked (then on labelled data, as
   * *ForSequenceClassification); an encoder only classifies. Absent: what the model is.
   */
  task?: TaskName;
  /** Set by "Start again with the same settings": the model to train, loaded from modelSource when it is not. */
  modelName?: string;
  /** Set by "Start again with the same settings": the earlier run's mapping, cleaning and split. */
  datasetConfig?: DatasetConfig;
  name?: string;
  /** Start from this stored run's final weights instead of the base model's ("Continue training"). */
  continueFrom?: string;
  /** See TrainingControl. */
  control?: SharedArrayBuffer;
}

/**
 * Pause and Stop while a step runs: a SharedArrayBuffer of one Int32 (0 run, 1 pause, 2 stop) that the page
 * sets with Atomics.store and the trainer reads after every step. The messages are sent too (for pages that
 * are not cross-origin isolated, where they take effect at the next checkpoint).
 */
export const TRAINING_CONTROL = { run: 0, pause: 1, stop: 2 } as const;

export type TrainingRequest =
  | StartTrainingRequest
  /** Saves a checkpoint after the current step and waits; the run stays resumable (also after a reload). */
  | { type: 'pause-training' }
  /** Continues a paused or interrupted run from its last stored checkpoint. */
  | { type: 'resume-training'; runId: string; control?: SharedArrayBuffer }
  /** Saves a checkpoint after the current step and ends the run. */
  | { type: 'stop-training' };

/** What the worker is doing before the first step, for the status line. */
export type TrainingPhase =
  'reading-data' | 'tokenizing' | 'loading-model' | 'building' | 'warming-up' | 'training';

export type TrainingEvent =
  /** The run record as stored now (after each status change and checkpoint). */
  | { type: 'run-update'; run: RunRecord }
  | { type: 'run-phase'; runId: string; phase: TrainingPhase; detail?: string }
  /** A checkpoint is being written to IndexedDB (in the background: training goes on), or has been. */
  | { type: 'run-checkpoint'; runId: string; step: number; state: 'writing' | 'saved' }
  /** One log_history record (a training log, an evaluation or the final summary), with the run's training time. */
  | { type: 'run-log'; runId: string; index: number; record: RunLogEntry; elapsed: number }
  /** A failure before the run was stored (no dataset, no model, bad arguments). */
  | { type: 'training-error'; message: string };
// ---- end of training ---------------------------------------------------------------------------------------
