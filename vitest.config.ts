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
          testTimeout: 60_000,
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
