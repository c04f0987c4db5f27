// The typed messages between the page and the training worker. Only small records cross this boundary.
import type { BackendInfo, BackendRequest } from '../core/backend-info';
import type { FileProgress } from '../core/hub/source';

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
  { type: 'init-backend'; prefer: BackendRequest } | { type: 'load-model'; source: ModelSourceSpec };

export type WorkerEvent =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'model-progress'; progress: FileProgress }
  | { type: 'model-loaded'; facts: ModelFacts }
  | { type: 'error'; context: 'backend' | 'model'; message: string };
