import { describeBackend, type BackendInfo } from '../../core/backend-info';

// Which TensorFlow.js backend the worker runs, and why it fell back when it did.
export function BackendStatus({ backend, error }: { backend?: BackendInfo; error?: string }) {
  if (error) {
    return (
      <p role="alert" className="backend-status error">
        {error}
      </p>
    );
  }
  return (
    <p className="backend-status" data-testid="backend" data-backend={backend?.name ?? ''}>
      {backend ? describeBackend(backend) : 'Starting the compute backend…'}
    </p>
  );
}
