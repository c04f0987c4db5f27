// Starts the TensorFlow.js backend for a CLI run: Dawn's WebGPU is installed first when webgpu may be used.
import { describeBackend, initBackend, type BackendInfo, type BackendRequest } from '../core/backend';
import { installNodeWebGPU } from './node-webgpu';

export async function startBackend(request: BackendRequest): Promise<BackendInfo> {
  if (request === 'webgpu' || request === 'auto') {
    try {
      installNodeWebGPU();
    } catch (error) {
      // No Dawn build for this machine: initBackend reports WebGPU as unavailable and falls back.
      if (request === 'webgpu')
        process.stderr.write(`WebGPU could not be installed: ${(error as Error).message}\n`);
    }
  }
  const info = await initBackend({ prefer: request });
  process.stderr.write(`backend: ${describeBackend(info)}\n`);
  return info;
}
