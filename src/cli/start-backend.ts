// Starts the TensorFlow.js backend for a CLI run: Dawn's WebGPU is installed first when webgpu may be used.
// With `auto`, a software WebGPU adapter (SwiftShader, Dawn's fallback without a GPU driver) is passed over for
// wasm, which is much faster on the same CPU; `--backend webgpu` still gets it.
import { describeBackend, initBackend, type BackendInfo, type BackendRequest } from '../core/backend';
import { nodeWasmThreads } from './node-wasm-threads';
import { installNodeWebGPU } from './node-webgpu';

async function softwareAdapter(): Promise<string | undefined> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  const info = adapter?.info;
  const words = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ');
  return /swiftshader|llvmpipe|software/i.test(words) ? words : undefined;
}

export async function startBackend(request: BackendRequest): Promise<BackendInfo> {
  let prefer = request;
  let note = '';
  if (request === 'webgpu' || request === 'auto') {
    try {
      installNodeWebGPU();
    } catch (error) {
      // No Dawn build for this machine: initBackend reports WebGPU as unavailable and falls back.
      note = ` (WebGPU could not be installed: ${(error as Error).message})`;
    }
    const software = request === 'auto' ? await softwareAdapter() : undefined;
    if (software) {
      prefer = 'wasm';
      note = ` (auto: WebGPU is only a software adapter here, ${software}; pass --backend webgpu to use it)`;
    }
  }
  const info = await initBackend({ prefer, wasmThreads: nodeWasmThreads() });
  const described = prefer === request ? describeBackend(info) : info.name;
  process.stderr.write(`backend: ${described}${note}\n`);
  return info;
}
