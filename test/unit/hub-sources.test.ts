import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFolderSource } from '../../src/cli/local-source';
import { FolderCache } from '../../src/cli/node-cache';
import { CacheApiCache } from '../../src/core/hub/cache-api';
import { cachedSource, MemoryCache } from '../../src/core/hub/cache';
import { droppedFilesSource } from '../../src/core/hub/dropped-source';
import { ModelLoadError } from '../../src/core/hub/errors';
import { hubSource, resolveModelSource, urlSource } from '../../src/core/hub/http-source';
import { loadPretrained, loadWeights } from '../../src/core/hub/load';
import { readSafetensors } from '../../src/core/hub/safetensors';
import type { FileProgress } from '../../src/core/hub/source';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { sharedModelDir } from '../support/shared';

const ID = 'webtune/bert-tiny-mlm';
const SAFETENSORS_BYTES = 17737792;

/** Bit-for-bit equality of two float arrays (vitest's deep equality is slow on millions of elements). */
function sameData(a: Float32Array, b: Float32Array): boolean {
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}

async function failure(promise: Promise<unknown>): Promise<ModelLoadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelLoadError);
  return error as ModelLoadError;
}

describe('loading from the Hub mirror', () => {
  let hub: HubMirror;
  let temp: string;
  const since = (n: number) => hub.requests.slice(n);

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'webtune-hub-'));
    const noWeights = join(temp, 'no-weights');
    mkdirSync(noWeights);
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      writeFileSync(join(noWeights, file), readFileSync(join(sharedModelDir(ID), file)));
    }
    hub = await startHubMirror({
      repos: { 'test/no-weights': noWeights },
      gated: ['webtune/gated-model'],
      truncate: ['webtune/tiny-random-roberta-cls/model.safetensors'],
    });
  });
  afterAll(async () => {
    await hub.close();
    rmSync(temp, { recursive: true, force: true });
  });

  it('loads config, weights and tokenizer files with per-file progress; a second load downloads nothing', async () => {
    const cache = new MemoryCache();
    const events: FileProgress[] = [];
    const start = hub.requests.length;
    const model = await loadPretrained(hubSource(ID, { endpoint: hub.url }), {
      cache,
      onProgress: (p) => events.push(p),
    });
    expect(model.name).toBe(ID);
    expect(model.config.model_type).toBe('bert');
    expect(model.weightFiles).toEqual(['model.safetensors']);
    const expected = readSafetensors(
      new Uint8Array(readFileSync(join(sharedModelDir(ID), 'model.safetensors'))),
    );
    expect([...model.weights.keys()]).toEqual([...expected.keys()]);
    for (const [name, tensor] of expected)
      expect(sameData(model.weights.get(name)!.data, tensor.data), name).toBe(true);
    // Every tokenizer file the model folder holds, vocab.txt included (the export hands them all on).
    expect(Object.keys(model.tokenizerFiles).sort()).toEqual([
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'vocab.txt',
    ]);
    const weights = events.filter((e) => e.file === 'model.safetensors');
    expect(weights.length).toBeGreaterThan(2);
    expect(weights.every((e) => e.total === SAFETENSORS_BYTES && !e.cached)).toBe(true);
    expect(weights.map((e) => e.loaded)).toEqual([...weights.map((e) => e.loaded)].sort((a, b) => a - b));
    expect(weights.at(-1)!.loaded).toBe(SAFETENSORS_BYTES);
    expect(since(start).filter((r) => r.endsWith('/model.safetensors'))).toHaveLength(1);

    const again = hub.requests.length;
    const cachedEvents: FileProgress[] = [];
    const second = await loadPretrained(hubSource(ID, { endpoint: hub.url }), {
      cache,
      onProgress: (p) => cachedEvents.push(p),
    });
    expect(since(again)).toEqual([]);
    expect(second.weights.get('cls.predictions.bias')!.data).toEqual(
      model.weights.get('cls.predictions.bias')!.data,
    );
    expect(cachedEvents.find((e) => e.file === 'model.safetensors')).toEqual({
      file: 'model.safetensors',
      loaded: SAFETENSORS_BYTES,
      total: SAFETENSORS_BYTES,
      cached: true,
    });
  });

  it('caches in a folder in Node, so a new process (a new cache object) downloads nothing', async () => {
    const folder = join(temp, 'cache');
    const first = await loadPretrained(hubSource(ID, { endpoint: hub.url }), {
      cache: new FolderCache(folder),
    });
    const again = hub.requests.length;
    const second = await loadPretrained(hubSource(ID, { endpoint: hub.url }), {
      cache: new FolderCache(folder),
    });
    expect(since(again)).toEqual([]);
    expect(second.config).toEqual(first.config);
    expect(second.weights.get('bert.pooler.dense.weight')!.data).toEqual(
      first.weights.get('bert.pooler.dense.weight')!.data,
    );
    expect(readdirSync(folder, { recursive: true }).some((p) => String(p).endsWith('.partial'))).toBe(false);
  });

  it('names the model and the file for a missing file, an unknown repo, revision, and a gated repo', async () => {
    const source = hubSource(ID, { endpoint: hub.url });
    const missing = await failure(source.fetchFile('pytorch_model.bin'));
    expect([missing.code, missing.model, missing.file]).toEqual(['missing-file', ID, 'pytorch_model.bin']);
    expect(missing.message).toMatch(
      /webtune\/bert-tiny-mlm has no file pytorch_model\.bin \(404 EntryNotFound/,
    );
    expect(await source.exists('pytorch_model.bin')).toBe(false);
    expect(await source.exists('vocab.txt')).toBe(true);

    const unknown = await failure(loadPretrained(hubSource('nobody/nothing', { endpoint: hub.url })));
    expect([unknown.code, unknown.file]).toEqual(['unknown-repo', 'config.json']);
    expect(unknown.message).toMatch(/nobody\/nothing was not found .* or it is private.*401 RepoNotFound/);

    const revision = await failure(loadPretrained(hubSource(ID, { endpoint: hub.url, revision: 'v9' })));
    expect(revision.code).toBe('unknown-revision');
    expect(revision.message).toMatch(/webtune\/bert-tiny-mlm has no revision "v9"/);

    const gated = await failure(loadPretrained(hubSource('webtune/gated-model', { endpoint: hub.url })));
    expect([gated.code, gated.file]).toEqual(['gated', 'config.json']);
    expect(gated.message).toMatch(/webtune\/gated-model is gated.*access token.*401 GatedRepo/);

    const noWeights = await failure(loadPretrained(hubSource('test/no-weights', { endpoint: hub.url })));
    expect(noWeights.message).toMatch(
      /test\/no-weights has no weights: looked for model\.safetensors, .*pytorch_model/,
    );

    expect(() => hubSource('not a model id')).toThrow(/"not a model id" is not a Hugging Face model id/);
  });

  it('says when the server cannot be reached', async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    await new Promise((done) => server.close(done));
    const error = await failure(loadPretrained(hubSource(ID, { endpoint: `http://127.0.0.1:${port}` })));
    expect([error.code, error.file]).toEqual(['network', 'config.json']);
    expect(error.message).toMatch(
      new RegExp(
        `config\\.json of model webtune/bert-tiny-mlm: http://127\\.0\\.0\\.1:${port} cannot be reached`,
      ),
    );
  });

  it('reports a truncated download and never caches it', async () => {
    const cache = new MemoryCache();
    const id = 'webtune/tiny-random-roberta-cls';
    const error = await failure(
      loadPretrained(hubSource(id, { endpoint: hub.url }), { cache, tokenizer: false }),
    );
    expect([error.code, error.file]).toEqual(['truncated', 'model.safetensors']);
    expect(error.message).toMatch(
      /model\.safetensors of model webtune\/tiny-random-roberta-cls was cut off after \d+ of 810172 bytes/,
    );
    const keys = [...cache.entries.keys()];
    expect(keys.some((k) => k.includes('model.safetensors'))).toBe(false);
    // The next attempt downloads it again rather than trusting anything cached.
    const before = hub.requests.length;
    await failure(loadWeights(hubSource(id, { endpoint: hub.url }), { cache }));
    expect(since(before)).toEqual([`GET /${id}/resolve/main/model.safetensors`]);
  });

  it('goes on loading when the cache cannot store (a full quota)', async () => {
    const full = new MemoryCache();
    full.put = () => Promise.reject(new Error('QuotaExceededError'));
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => void warnings.push(message);
    try {
      const model = await loadPretrained(hubSource(ID, { endpoint: hub.url }), { cache: full });
      expect(model.weights.size).toBe(44);
    } finally {
      console.warn = warn;
    }
    expect(warnings).toContain(`Could not cache model.safetensors of model ${ID}: QuotaExceededError`);
  });

  it('reads a folder URL laid out like the Hub, and parses ids with revisions and URLs', async () => {
    const url = `${hub.url}/${ID}/resolve/main/`;
    const model = await loadPretrained(urlSource(url));
    expect(model.name).toBe(url.slice(0, -1));
    expect(model.weights.size).toBeGreaterThan(30);
    expect(resolveModelSource(url).name).toBe(url.slice(0, -1));
    expect(resolveModelSource('org/name@v2', { endpoint: hub.url }).name).toBe('org/name@v2');
    expect(resolveModelSource('org/name@v2', { endpoint: hub.url }).cacheKey).toBe(
      `${hub.url}/org/name/resolve/v2`,
    );
    expect(resolveModelSource(' roberta-base ').cacheKey).toBe(
      'https://huggingface.co/roberta-base/resolve/main',
    );
  });
});

describe('files the user dropped, and local folders', () => {
  const dir = sharedModelDir(ID);
  const dropped = () =>
    new Map(
      ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt'].map(
        (file) => [`bert-tiny-mlm/${file}`, new Blob([readFileSync(join(dir, file))])],
      ),
    );

  it('strips the dropped folder name and loads the same model as from disk', async () => {
    const events: FileProgress[] = [];
    const model = await loadPretrained(droppedFilesSource(dropped(), 'bert-tiny-mlm (dropped)'), {
      onProgress: (p) => events.push(p),
      cache: new MemoryCache(), // ignored: dropped files are already local
    });
    const local = await loadPretrained(localFolderSource(dir));
    expect(model.config).toEqual(local.config);
    expect(model.weights.get('bert.embeddings.position_embeddings.weight')!.data).toEqual(
      local.weights.get('bert.embeddings.position_embeddings.weight')!.data,
    );
    expect(events.filter((e) => e.file === 'model.safetensors').at(-1)).toEqual({
      file: 'model.safetensors',
      loaded: SAFETENSORS_BYTES,
      total: SAFETENSORS_BYTES,
    });
  });

  it('finds the model root at config.json inside nested folders, and lists what a drop holds when a file is missing', async () => {
    const nested = new Map([...dropped()].map(([path, blob]) => [`Downloads/${path}`, blob]));
    const source = droppedFilesSource(nested);
    expect(await source.exists('config.json')).toBe(true);
    const error = await failure(source.fetchFile('pytorch_model.bin'));
    expect(error.message).toBe(
      'Model the dropped folder has no file pytorch_model.bin (it holds: config.json, model.safetensors, ' +
        'tokenizer.json, tokenizer_config.json, vocab.txt).',
    );
    const folderError = await failure(localFolderSource('/nonexistent/model').fetchFile('config.json'));
    expect(folderError.message).toBe('Model folder /nonexistent/model does not exist.');
  });
});

describe('the browser cache on the Cache API', () => {
  it('stores whole files by URL and remembers missing ones', async () => {
    // A stand-in for the browser's CacheStorage, holding real Responses as the browser does.
    const stores = new Map<string, Map<string, Response>>();
    const fake = {
      open: async (name: string) => {
        const store = stores.get(name) ?? new Map<string, Response>();
        stores.set(name, store);
        return {
          match: async (key: string) => store.get(key)?.clone(),
          put: async (key: string, response: Response) => void store.set(key, response),
        };
      },
    };
    const saved = (globalThis as { caches?: unknown }).caches;
    (globalThis as { caches?: unknown }).caches = fake;
    try {
      const cache = new CacheApiCache();
      let fetched = 0;
      const inner = {
        name: 'org/model',
        cacheKey: 'https://hub.example/org/model/resolve/main',
        exists: async (file: string) => file === 'config.json',
        fetchFile: async (file: string) => {
          fetched++;
          if (file !== 'config.json')
            throw new ModelLoadError('missing-file', 'org/model', file, 'no such file');
          return new TextEncoder().encode('{"model_type":"bert"}');
        },
      };
      const source = cachedSource(inner, cache);
      for (let i = 0; i < 2; i++) {
        expect(new TextDecoder().decode(await source.fetchFile('config.json'))).toBe('{"model_type":"bert"}');
        expect((await failure(source.fetchFile('vocab.txt'))).code).toBe('missing-file');
      }
      expect(fetched).toBe(2);
      expect([...stores.get('webtune-models')!.keys()].sort()).toEqual([
        'https://hub.example/org/model/resolve/main/config.json',
        'https://hub.example/org/model/resolve/main/vocab.txt?webtune-missing',
      ]);
    } finally {
      (globalThis as { caches?: unknown }).caches = saved;
    }
  });
});
