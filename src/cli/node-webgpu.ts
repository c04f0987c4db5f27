// Gives Node a real WebGPU device through Dawn (the `webgpu` npm package), so tfjs's webgpu backend runs
// outside a browser: on a GPU's Vulkan driver where there is one, else on Chromium's SwiftShader (CPU).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let installed = false;

/**
 * Installs `navigator.gpu` and the WebGPU globals. Call it before `initBackend`. Without a Vulkan driver of
 * its own, the machine uses SwiftShader when Chromium's copy is present (VK_ICD_FILENAMES is read once, when
 * Dawn first creates its Vulkan instance, so it must be set before `create`).
 */
export function installNodeWebGPU(): void {
  if (installed) return;
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    if (!hasOwnVulkanDriver()) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // Dawn complains on stderr when XDG_RUNTIME_DIR is unset; it is harmless but noisy.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const require = createRequire(import.meta.url);
  const dawn = require('webgpu') as { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  if (!globalThis.navigator) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  } else {
    Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
  }
  installed = true;
}

function hasOwnVulkanDriver(): boolean {
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/nvidia/share/vulkan/icd.d'];
  return dirs.some((d) => existsSync(d) && existsSync(`${d}/nvidia_icd.json`));
}
