// The wasm backend's binaries and scripts, emitted by Vite from the installed package (never a CDN).
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
// The Emscripten script each pthread worker loads, as the package ships it: emitted as a file, not bundled,
// so that its text stays self-contained (core/wasm-threads.ts says why that matters).
import threadedScript from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';

import type { ThreadedWasmAssets } from '../core/wasm-threads';

export const wasmPaths: Record<string, string> = {
  'tfjs-backend-wasm.wasm': plain,
  'tfjs-backend-wasm-simd.wasm': simd,
  'tfjs-backend-wasm-threaded-simd.wasm': threaded,
};

/** The threaded build's assets, with absolute URLs: pthread workers start from blob: URLs, which resolve nothing. */
export function threadedWasmAssets(): ThreadedWasmAssets {
  return {
    mainScript: new URL(threadedScript, self.location.href).href,
    wasmBinary: new URL(threaded, self.location.href).href,
  };
}
