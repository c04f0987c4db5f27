import { describeBackend, runsOnGpu, type BackendInfo } from '../../core/backend-info';

/** The page's address with `?backend=` set to `name` (the rest kept): a backend starts with the page. */
function withBackend(name: string): string {
  const params = new URLSearchParams(window.location.search);
  params.set('backend', name);
  return `?${params.toString()}`;
}

// Which TensorFlow.js backend the worker runs, and why it fell back when it did. On a software WebGPU adapter the
// app runs wasm unless asked (it is much faster there), and offers the other choice.
export function BackendStatus({ backend, error }: { backend?: BackendInfo; error?: string }) {
  if (error) {
    return (
      <p role="alert" className="backend-status error">
        {error}
      </p>
    );
  }
  const software = backend?.softwareAdapter;
  return (
    <>
      <p className="backend-status" data-testid="backend" data-backend={backend?.name ?? ''}>
        {backend ? describeBackend(backend) : 'Starting the compute backend…'}
      </p>
      {software && (
        <p className="backend-choice" data-testid="backend-choice">
          {backend?.name === 'webgpu' ? (
            <>
              This WebGPU adapter is software (the CPU standing in for a GPU), much slower than wasm here.{' '}
              <a href={withBackend('wasm')}>Use wasm instead</a> (reloads the page; runs are kept).
            </>
          ) : (
            <>
              There is no GPU here, only a software WebGPU adapter, so the app trains with wasm.{' '}
              <a href={withBackend('webgpu')}>Use the software WebGPU adapter anyway</a> (reloads the page;
              runs are kept).
            </>
          )}
        </p>
      )}
    </>
  );
}

/** Where the Train step trains, for its summary: "your GPU" only when it is one. */
export function whereItTrains(backend: BackendInfo | undefined): string {
  if (!backend) return 'in this browser';
  if (runsOnGpu(backend)) return 'on your GPU (WebGPU)';
  if (backend.name === 'webgpu') return "on this machine's CPU, through a software WebGPU adapter";
  return `on this machine's CPU (${backend.name})`;
}
