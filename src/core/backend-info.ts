// Backend names and reports, without TensorFlow.js, so the page can use them without loading tfjs.
export const BACKENDS = ['webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendRequest = BackendName | 'auto';

export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKENDS as readonly string[]).includes(value);
}

export interface BackendInfo {
  /** The backend that runs now. */
  name: BackendName;
  /** What was asked for. */
  requested: BackendRequest;
  /** The GPU adapter, when the backend is webgpu (vendor / architecture / description as the browser gives them). */
  adapter?: string;
  /** Why each preferred backend was passed over, in order; empty when the first choice runs. */
  fallbacks: { backend: BackendName; reason: string }[];
}

/** One line for people: "webgpu: <adapter>" or "wasm: WebGPU unavailable because …". */
export function describeBackend(info: BackendInfo): string {
  if (info.name === 'webgpu') return `WebGPU: ${info.adapter ?? 'unknown adapter'}`;
  const why = info.fallbacks.map((f) => f.reason).join('; ');
  if (why) return `${info.name}: ${why}`;
  return info.requested === info.name ? `${info.name} (as requested)` : info.name;
}
