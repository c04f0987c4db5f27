// Builds the app, serves the build with `vite preview` and serves ../shared/models as a local Hub mirror,
// then hands both addresses to the e2e tests.
import { build, preview } from 'vite';
import type { TestProject } from 'vitest/node';
import { startHubMirror } from '../support/hub-mirror';
import { repoRoot } from '../support/shared';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
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
  const hub = await startHubMirror();
  project.provide('appUrl', appUrl.replace(/\/$/, ''));
  project.provide('hubUrl', hub.url);
  return async () => {
    await hub.close();
    await server.close();
  };
}
