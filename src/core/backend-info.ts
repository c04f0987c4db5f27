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
  /**
   * The WebGPU adapter is software (SwiftShader, llvmpipe, Microsoft Basic Render Driver: the CPU drawing for a
   * missing GPU driver): its name. Set when webgpu runs on it (asked for) and when `auto` passed it over for wasm.
   */
  softwareAdapter?: string;
  /** Why each preferred backend was passed over, in order; empty when the first choice runs. */
  fallbacks: { backend: BackendName; reason: string }[];
  /** wasm: the threads its matrix kernels run on (XNNPACK's pool). */
  threads?: number;
  /** wasm on one thread although more were asked for: why. */
  singleThreadReason?: string;
}

/**
 * A software WebGPU adapter's words (vendor, architecture, description): SwiftShader, llvmpipe, Microsoft's Basic
 * Render Driver. On them webgpu is far slower than wasm on the same CPU (~50× for training here), so `auto`
 * passes them over.
 */
export function isSoftwareAdapter(words: string): boolean {
  return /swiftshader|llvmpipe|lavapipe|software|basic render driver/i.test(words);
}

/** Whether the backend runs on a real GPU (webgpu on a hardware adapter): the only case the page says "your GPU". */
export function runsOnGpu(info: BackendInfo | undefined): boolean {
  return info?.name === 'webgpu' && info.softwareAdapter === undefined;
}

/** One line for people: "WebGPU: <adapter>", "wasm, 2 threads: WebGPU unavailable because …", "cpu (as requested)". */
export function describeBackend(info: BackendInfo): string {
  if (info.name === 'webgpu') return `WebGPU: ${info.adapter ?? 'unknown adapter'}`;
  const threads = info.threads;
  const name =
    threads === undefined ? info.name : `${info.name}, ${threads} thread${threads === 1 ? '' : 's'}`;
  const why = info.fallbacks.map((f) => f.reason).join('; ');
  if (why) return `${name}: ${why}`;
  return info.requested === info.name ? `${name} (as requested)` : name;
}

/**
 * The backend line without the page's wording, for files that outlive the page (model card,
 * training_args.json): "wasm, 2 threads (as requested)" and "wasm, 2 threads: WebGPU unavailable because …"
 * both become "wasm, 2 threads"; "WebGPU: <adapter>" stays as it is (the adapter is a fact of the run).
 */
export function exportedBackend(line: string): string {
  const text = line.trim();
  if (/^webgpu\b/i.test(text)) return text.replace(/\s*\(as requested\)$/, '');
  return text.replace(/\s*\(as requested\)$/, '').replace(/:.*$/s, '');
}
