// Builds the app and serves the build with `vite preview` (what people get); runs the Vite dev server too, so
// tests can import the real core modules into Chromium and check their numbers on WebGPU there; and serves
// ../shared/models as a local Hub mirror. The three addresses go to the tests through `inject`.
import { build, createServer, preview } from 'vite';
import type { TestProject } from 'vitest/node';
import { startHubMirror } from '../support/hub-mirror';
import { repoRoot } from '../support/shared';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    devUrl: string;
    hubUrl: string;
  }
}

export default async function setup(project: TestProject) {
  await build({ root: repoRoot, logLevel: 'warn' });
  const server = await preview({
    root: repoRoot,
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  const appUrl = server.resolvedUrls?.local[0];
  if (!appUrl) throw new Error('vite preview did not report the address it serves on');
  const dev = await createServer({
    root: repoRoot,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await dev.listen();
  const devUrl = dev.resolvedUrls?.local[0];
  if (!devUrl) throw new Error('the Vite dev server did not report the address it serves on');
  const hub = await startHubMirror();
  project.provide('appUrl', appUrl.replace(/\/$/, ''));
  project.provide('devUrl', devUrl.replace(/\/$/, ''));
  project.provide('hubUrl', hub.url);
  return async () => {
    await hub.close();
    await dev.close();
    await server.close();
  };
}
