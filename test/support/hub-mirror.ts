// A local stand-in for the Hugging Face Hub: serves ../shared/models/<org>--<name>/<file> (and any folder a
// test adds) at /<org>/<name>/resolve/<revision>/<file>, the Hub's own layout, with CORS, HEAD and ranges, so
// the real download code is what the tests exercise. Errors carry the Hub's X-Error-Code header.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sharedPath } from './shared';

export interface HubMirrorOptions {
  /** Folder holding `<org>--<name>` model folders; defaults to ../shared/models. */
  modelsDir?: string;
  /** Further repos by id (`org/name`), e.g. models a test wrote to a temporary folder. */
  repos?: Record<string, string>;
  /** Repo ids answered as gated (401, X-Error-Code: GatedRepo). */
  gated?: string[];
  /** `org/name/file` paths whose body is cut off halfway while announcing the full length. */
  truncate?: string[];
  port?: number;
}

export interface HubMirror {
  url: string;
  /** Every request seen, in order, e.g. `GET /webtune/bert-tiny-mlm/resolve/main/config.json`. */
  requests: string[];
  close(): Promise<void>;
}

const REVISIONS = new Set(['main']);
const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

export async function startHubMirror(options: HubMirrorOptions = {}): Promise<HubMirror> {
  const modelsDir = options.modelsDir ?? sharedPath('models');
  const gated = new Set(options.gated ?? []);
  const truncate = new Set(options.truncate ?? []);
  const requests: string[] = [];

  const repoDir = (id: string): string | undefined => {
    const extra = options.repos?.[id];
    if (extra) return extra;
    const dir = join(modelsDir, id.replace('/', '--'));
    return existsSync(dir) ? dir : undefined;
  };

  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handle(req, res);
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Range, Content-Type, Authorization');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Range, ETag, X-Error-Code');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return fail(res, 405, 'MethodNotAllowed', 'GET or HEAD only');

    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://mirror').pathname);
    const match = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (!match)
      return fail(res, 404, 'EntryNotFound', `Not a /<org>/<name>/resolve/<revision>/<file> path: ${path}`);
    const [, org, name, revision, file] = match as unknown as [string, string, string, string, string];
    const id = `${org}/${name}`;
    if (gated.has(id)) return fail(res, 401, 'GatedRepo', `Access to model ${id} is restricted.`);
    const dir = repoDir(id);
    if (!dir) return fail(res, 401, 'RepoNotFound', `Repository Not Found for url: ${path}`);
    if (!REVISIONS.has(revision)) return fail(res, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
    const filePath = resolve(dir, file);
    if (!filePath.startsWith(resolve(dir) + sep) || !existsSync(filePath) || !statSync(filePath).isFile()) {
      return fail(res, 404, 'EntryNotFound', `Entry not found: ${file}`);
    }
    serveFile(req, res, filePath, truncate.has(`${id}/${file}`));
  }

  await new Promise<void>((done) => server.listen(options.port ?? 0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function serveFile(req: IncomingMessage, res: ServerResponse, filePath: string, cutOff: boolean): void {
  const { size, mtimeMs } = statSync(filePath);
  res.setHeader('Content-Type', TYPES[extname(filePath)] ?? 'application/octet-stream');
  res.setHeader('ETag', `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`);
  res.setHeader('Accept-Ranges', 'bytes');
  let start = 0;
  let end = size - 1;
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && (range[1] || range[2])) {
    start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end || start >= size)
      return fail(res, 416, 'RangeNotSatisfiable', `Range ${req.headers.range}`);
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  }
  res.setHeader('Content-Length', end - start + 1);
  if (req.method === 'HEAD') return void res.end();
  if (cutOff) {
    // Announce the whole length, send half, then drop the connection: a truncated download.
    const half = start + Math.floor((end - start + 1) / 2);
    const stream = createReadStream(filePath, { start, end: half });
    stream.on('data', (chunk) => res.write(chunk));
    stream.on('end', () => res.destroy());
    return;
  }
  createReadStream(filePath, { start, end }).pipe(res);
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'X-Error-Code': code });
  res.end(JSON.stringify({ error: message }));
}

// `npx tsx test/support/hub-mirror.ts [port]` serves ../shared/models for trying the app by hand.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mirror = await startHubMirror({ port: Number(process.argv[2] ?? 8080) });
  console.log(`Hub mirror of ../shared/models at ${mirror.url} (open the app with ?hub=${mirror.url})`);
}
