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
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
});
