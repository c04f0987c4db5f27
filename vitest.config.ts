import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Three layers: plain Node units, tfjs on a real WebGPU device in Node (Dawn), and the built app in Chromium.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // At least two files at a time, even on two cores (vitest's default there is one): most unit files
          // run tfjs in their own process on one thread (the cpu backend, or wasm without threads), and many
          // wait on a CLI or Python child, so one file alone leaves a core idle. Sharing the cores makes a file
          // up to about twice as slow, hence twice the 60 s a test had when files ran one at a time.
          maxWorkers: Math.max(2, availableParallelism() - 1),
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'webgpu',
          include: ['test/webgpu/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/webgpu/setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          // One SwiftShader device at a time: it already uses every core.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
