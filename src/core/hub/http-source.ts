// Models served over HTTP: a Hub repo read from `<endpoint>/<id>/resolve/<revision>/<file>` (the real Hub or a
// mirror), or any URL of a folder laid out the same way. Errors are mapped from the Hub's X-Error-Code header
// to messages that name the model and the file.
import { ModelLoadError } from './errors';
import {
  describeCause,
  readStream,
  StreamBrokenError,
  type ModelSource,
  type ProgressCallback,
} from './source';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

export interface HubSourceOptions {
  /** The Hub or a mirror of it; defaults to https://huggingface.co. */
  endpoint?: string;
  /** Branch, tag or commit; defaults to `main`. */
  revision?: string;
  /** A Hugging Face access token, for private and gated models. */
  token?: string;
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

/** A model on the Hub (or a mirror), e.g. `hubSource('prajjwal1/bert-tiny')`. */
export function hubSource(id: string, options: HubSourceOptions = {}): ModelSource {
  if (!HUB_ID.test(id) || id.includes('..')) {
    throw new ModelLoadError(
      'unknown-repo',
      id,
      undefined,
      `"${id}" is not a Hugging Face model id: expected a name like "bert-base-uncased" or "org/name"`,
    );
  }
  const endpoint = (options.endpoint ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
  const revision = options.revision ?? 'main';
  const name = revision === 'main' ? id : `${id}@${revision}`;
  const base = `${endpoint}/${id}/resolve/${encodeURIComponent(revision)}`;
  return new HttpSource(name, base, { hub: true, token: options.token, endpoint, id, revision });
}

/** A model folder at a URL, whose files are `<url>/<file>`. */
export function urlSource(url: string, options: { token?: string } = {}): ModelSource {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ModelLoadError('unknown-repo', url, undefined, `"${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ModelLoadError('unknown-repo', url, undefined, `${url} is not an http(s) URL`);
  }
  const base = url.replace(/\/+$/, '');
  return new HttpSource(base, base, { hub: false, token: options.token });
}

/**
 * A model named the way a person would type it: a URL of a folder, or a Hub id with an optional `@revision`
 * (`prajjwal1/bert-tiny`, `roberta-base@v1.0`).
 */
export function resolveModelSource(ref: string, options: HubSourceOptions = {}): ModelSource {
  const trimmed = ref.trim();
  if (/^https?:\/\//i.test(trimmed)) return urlSource(trimmed, { token: options.token });
  const at = trimmed.lastIndexOf('@');
  if (at > 0) return hubSource(trimmed.slice(0, at), { ...options, revision: trimmed.slice(at + 1) });
  return hubSource(trimmed, options);
}

interface HttpContext {
  hub: boolean;
  token?: string;
  endpoint?: string;
  id?: string;
  revision?: string;
}

class HttpSource implements ModelSource {
  constructor(
    readonly name: string,
    private readonly base: string,
    private readonly context: HttpContext,
  ) {}

  get cacheKey(): string {
    return this.base;
  }

  async fetchFile(file: string, onProgress?: ProgressCallback): Promise<Uint8Array> {
    const response = await this.request(file, 'GET');
    const encoded = response.headers.get('content-encoding');
    const length = Number(response.headers.get('content-length') ?? NaN);
    // With a compressed transfer the length counts compressed bytes, so it cannot check the body.
    const total = !encoded && Number.isFinite(length) && length >= 0 ? length : undefined;
    onProgress?.({ file, loaded: 0, total });
    if (!response.body) return new Uint8Array(await response.arrayBuffer());
    let bytes: Uint8Array;
    try {
      bytes = await readStream(response.body, total, (loaded) => onProgress?.({ file, loaded, total }));
    } catch (error) {
      const loaded = error instanceof StreamBrokenError ? error.loaded : 0;
      const cause = error instanceof StreamBrokenError ? error.cause : error;
      throw this.truncated(file, loaded, total, describeCause(cause));
    }
    if (total !== undefined && bytes.byteLength < total) throw this.truncated(file, bytes.byteLength, total);
    return bytes;
  }

  async exists(file: string): Promise<boolean> {
    try {
      await (await this.request(file, 'HEAD')).body?.cancel();
      return true;
    } catch (error) {
      if (error instanceof ModelLoadError && error.code === 'missing-file') return false;
      throw error;
    }
  }

  private async request(file: string, method: 'GET' | 'HEAD'): Promise<Response> {
    const url = `${this.base}/${file.split('/').map(encodeURIComponent).join('/')}`;
    const headers: Record<string, string> = {};
    if (this.context.token) headers.Authorization = `Bearer ${this.context.token}`;
    let response: Response;
    try {
      response = await fetch(url, { method, headers }).catch((error: unknown) => {
        // A kept-alive connection the server closed meanwhile resets on reuse (measured against the Hub
        // mirror, whose Node server drops idle sockets after 5 s); browsers retry such a request once, so do we.
        if (!isConnectionReset(error)) throw error;
        return fetch(url, { method, headers });
      });
    } catch (error) {
      const where = this.context.hub ? this.context.endpoint : new URL(url).origin;
      throw new ModelLoadError(
        'network',
        this.name,
        file,
        `Could not download ${file} of model ${this.name}: ${where} cannot be reached (${describeCause(error)}). ` +
          'Check the connection and the address.',
        { cause: error },
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw this.httpError(file, url, response.status, response.headers.get('x-error-code'));
    }
    return response;
  }

  private httpError(file: string, url: string, status: number, code: string | null): ModelLoadError {
    const answer = `${status}${code ? ` ${code}` : ''} from ${url}`;
    const { hub, endpoint, id, revision } = this.context;
    if (code === 'GatedRepo') {
      return new ModelLoadError(
        'gated',
        this.name,
        file,
        `Model ${this.name} is gated: accept its conditions at ${endpoint}/${id} and give an access token to ` +
          `download ${file} (${answer}).`,
      );
    }
    if (code === 'RepoNotFound' || (hub && (status === 401 || status === 403) && !code)) {
      return new ModelLoadError(
        'unknown-repo',
        this.name,
        file,
        `Model ${this.name} was not found on ${endpoint ?? 'the server'}, or it is private: check the id, or give ` +
          `an access token for a private model (asking for ${file}: ${answer}).`,
      );
    }
    if (status === 401 || status === 403) {
      return new ModelLoadError(
        'gated',
        this.name,
        file,
        `Model ${this.name} refused access to ${file}: it is private or gated (${answer}).`,
      );
    }
    if (code === 'RevisionNotFound') {
      return new ModelLoadError(
        'unknown-revision',
        this.name,
        file,
        `Model ${id} has no revision "${revision}" (${answer}).`,
      );
    }
    if (status === 404) {
      return new ModelLoadError(
        'missing-file',
        this.name,
        file,
        `Model ${this.name} has no file ${file} (${answer}).`,
      );
    }
    return new ModelLoadError(
      'http',
      this.name,
      file,
      `Could not download ${file} of model ${this.name}: the server answered ${answer}.`,
    );
  }

  private truncated(file: string, loaded: number, total: number | undefined, why?: string): ModelLoadError {
    const of = total === undefined ? '' : ` of ${total}`;
    return new ModelLoadError(
      'truncated',
      this.name,
      file,
      `The download of ${file} of model ${this.name} was cut off after ${loaded}${of} bytes` +
        `${why ? ` (${why})` : ''}; nothing was cached, try again.`,
    );
  }
}

function isConnectionReset(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause && typeof cause === 'object' && 'code' in cause ? String(cause.code) : '';
  return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET';
}
