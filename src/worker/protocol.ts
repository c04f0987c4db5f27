// The typed messages between the page and the training worker. Only small records cross this boundary.
import type { BackendInfo, BackendRequest } from '../core/backend-info';
import type { FileProgress } from '../core/hub/source';
import type { EvaluationDetails, ResultsModelInfo } from './results-types';

export type { FileProgress };

/** Where a model comes from: a Hub id (through the configured endpoint), a folder URL, or a dropped folder. */
export type ModelSourceSpec =
  | { kind: 'hub'; id: string; revision: string; endpoint: string }
  | { kind: 'url'; url: string }
  | { kind: 'files'; files: File[] };

/** What the page shows about a loaded model. */
export interface ModelFacts {
  name: string;
  architecture: string;
  modelType: string;
  parameters: number;
  maxLength: number;
  layers: number;
  hiddenSize: number;
  vocabSize: number;
  /** The labels of the checkpoint's own head, when it has one. */
  labels: string[];
}

export type WorkerRequest =
  | { type: 'init-backend'; prefer: BackendRequest }
  | { type: 'load-model'; source: ModelSourceSpec }
  | ResultsRequest;

export type WorkerEvent =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'model-progress'; progress: FileProgress }
  | { type: 'model-loaded'; facts: ModelFacts }
  | { type: 'error'; context: 'backend' | 'model'; message: string }
  | ResultsEvent;

// --- Results (Evaluate, Playground, Export): requests on the classifier registered in results-state.ts.
// Each request carries an id; the worker answers with one results-reply or results-error of the same id.
export type ResultsRequest =
  | { type: 'results-info'; id: number }
  /** Registers the loaded checkpoint's own classification head, unchanged, as the results model. */
  | { type: 'results-use-loaded'; id: number }
  | { type: 'results-predict'; id: number; texts: string[]; pairs?: string[] }
  | { type: 'results-predict-file'; id: number; file: File }
  /** Scores the validation set, or a labelled file when one is given. */
  | { type: 'results-evaluate'; id: number; file?: File }
  | { type: 'results-export'; id: number };

export type ResultsReply =
  | { kind: 'info'; info: ResultsModelInfo | null }
  | { kind: 'probabilities'; labels: string[]; probabilities: number[][] }
  | { kind: 'file'; fileName: string; rows: number; csv: Uint8Array }
  | { kind: 'evaluation'; details: EvaluationDetails }
  | { kind: 'zip'; fileName: string; files: string[]; zip: Uint8Array };

export type ResultsEvent =
  | { type: 'results-reply'; id: number; reply: ResultsReply }
  | { type: 'results-error'; id: number; message: string };
