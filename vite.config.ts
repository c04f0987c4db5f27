import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Cross-origin isolation gives the page SharedArrayBuffer, which the threaded wasm backend needs. Static
// hosts must send the same two headers (see README).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  // Pre-bundled at start: the webgpu backend is imported late (after the adapter check), and a dependency
  // discovered mid-session makes the dev server re-optimise and fail the pending import.
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgpu',
      '@xenova/transformers',
      'fflate',
    ],
  },
});
