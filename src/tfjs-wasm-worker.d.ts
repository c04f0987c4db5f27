// tfjs-backend-wasm ships its pthread worker script as a CommonJS module exporting the script's text, untyped.
declare module '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js' {
  export const wasmWorkerContents: string;
}
