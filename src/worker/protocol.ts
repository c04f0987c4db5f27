// The typed messages between the page and the training worker. Only small records cross this boundary.
import type { BackendInfo, BackendRequest } from '../core/backend-info';

export type WorkerRequest = { type: 'init-backend'; prefer: BackendRequest };

export type WorkerEvent = { type: 'backend'; info: BackendInfo } | { type: 'error'; message: string };
