// Settings read from the page's address: `?backend=webgpu|wasm|cpu` forces a backend, `?hub=<url>` points
// model downloads at a mirror of the Hugging Face Hub.
import { isBackendName, type BackendRequest } from '../../core/backend-info';
import { DEFAULT_HUB_ENDPOINT } from '../../core/hub/http-source';

export interface UrlOptions {
  backend: BackendRequest;
  hub: string;
}

export function readUrlOptions(search: string): UrlOptions {
  const params = new URLSearchParams(search);
  const backend = params.get('backend');
  const hub = params.get('hub');
  return {
    backend: isBackendName(backend) ? backend : 'auto',
    hub: hub ? hub.replace(/\/+$/, '') : DEFAULT_HUB_ENDPOINT,
  };
}
