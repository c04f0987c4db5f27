import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { sharedModelDir } from '../support/shared';

describe('the local Hub mirror', () => {
  let hub: HubMirror;
  beforeAll(async () => {
    hub = await startHubMirror({ gated: ['webtune/gated-model'] });
  });
  afterAll(() => hub.close());

  const url = (path: string) => `${hub.url}/webtune/bert-tiny-mlm/resolve/main/${path}`;

  it('serves fixture files at the Hub layout with CORS', async () => {
    const res = await fetch(url('config.json'));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const expected = readFileSync(`${sharedModelDir('webtune/bert-tiny-mlm')}/config.json`, 'utf8');
    expect(await res.text()).toBe(expected);
  });

  it('answers HEAD with the length and ranges with 206', async () => {
    const head = await fetch(url('model.safetensors'), { method: 'HEAD' });
    expect(Number(head.headers.get('content-length'))).toBe(17737792);
    const part = await fetch(url('model.safetensors'), { headers: { Range: 'bytes=0-7' } });
    expect(part.status).toBe(206);
    expect((await part.arrayBuffer()).byteLength).toBe(8);
  });

  it('gives the Hub error codes for missing files, repos, revisions and gated repos', async () => {
    const missing = await fetch(url('pytorch_model.bin'));
    expect([missing.status, missing.headers.get('x-error-code')]).toEqual([404, 'EntryNotFound']);
    const repo = await fetch(`${hub.url}/nobody/nothing/resolve/main/config.json`);
    expect([repo.status, repo.headers.get('x-error-code')]).toEqual([401, 'RepoNotFound']);
    const rev = await fetch(`${hub.url}/webtune/bert-tiny-mlm/resolve/v9/config.json`);
    expect([rev.status, rev.headers.get('x-error-code')]).toEqual([404, 'RevisionNotFound']);
    const gated = await fetch(`${hub.url}/webtune/gated-model/resolve/main/config.json`);
    expect([gated.status, gated.headers.get('x-error-code')]).toEqual([401, 'GatedRepo']);
    const escape = await fetch(`${hub.url}/webtune/bert-tiny-mlm/resolve/main/..%2F..%2FDESIGN.md`);
    expect(escape.status).toBe(404);
  });
});
