// Starts the TensorFlow.js backend for a CLI run: Dawn's WebGPU is installed first when webgpu may be used.
// With `auto`, core's initBackend passes a software WebGPU adapter (SwiftShader, Dawn's fallback without a GPU
// driver) over for wasm, which is much faster on the same CPU; `--backend webgpu` still gets it.
import { describeBackend, initBackend, type BackendInfo, type BackendRequest } from '../core/backend';
import { nodeWasmThreads } from './node-wasm-threads';
import { installNodeWebGPU } from './node-webgpu';

export async function startBackend(request: BackendRequest): Promise<BackendInfo> {
  let note = '';
  if (request === 'webgpu' || request === 'auto') {
    try {
      installNodeWebGPU();
    } catch (error) {
      // No Dawn build for this machine: initBackend reports WebGPU as unavailable and falls back.
      note = ` (WebGPU could not be installed: ${(error as Error).message})`;
    }
  }
  const info = await initBackend({ prefer: request, wasmThreads: nodeWasmThreads() });
  const passedOver = info.softwareAdapter !== undefined && info.name !== 'webgpu';
  if (passedOver)
    note = ` (auto: WebGPU is only a software adapter here, ${info.softwareAdapter}; pass --backend webgpu to use it)`;
  process.stderr.write(`backend: ${passedOver ? info.name : describeBackend(info)}${note}\n`);
  return info;
}
