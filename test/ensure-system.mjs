// Makes sure the system programs the tests need are present: Debian's Chromium with Vulkan (e2e, WebGPU on
// SwiftShader) and PyTorch for Debian's python3 with OpenBLAS (the independent numeric reference, and the speed
// peer of the benchmarks). As root it installs what is missing with apt-get; otherwise it stops with one line
// saying what to install. Then it creates the virtual environment with the real Python stack (torch, transformers,
// peft, onnxruntime; test/python/) when this machine does not have it yet.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { ensurePythonStack } from './python/stack.mjs';

const checks = [
  { what: 'Chromium', ok: () => existsSync('/usr/bin/chromium'), packages: ['chromium'] },
  {
    what: 'Vulkan loader and SwiftShader',
    ok: () => existsSync('/usr/lib/chromium/vk_swiftshader_icd.json') && hasVulkanLoader(),
    packages: ['libvulkan1'],
  },
  { what: 'PyTorch for /usr/bin/python3', ok: hasTorch, packages: ['python3-torch'] },
  {
    // Debian's torch otherwise runs on the reference BLAS (about 4 GFLOP/s): correct, but no fair speed peer.
    what: 'OpenBLAS for PyTorch',
    ok: () => existsSync('/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3'),
    packages: ['libopenblas0-pthread'],
  },
];

function hasVulkanLoader() {
  try {
    return execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }).includes('libvulkan.so.1');
  } catch {
    return false;
  }
}

function hasTorch() {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const missing = checks.filter((c) => !c.ok());
if (missing.length > 0) {
  const packages = missing.flatMap((c) => c.packages);
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    console.error(
      `The tests need ${missing.map((c) => c.what).join(', ')}: run 'sudo apt-get install -y ${packages.join(' ')}' and try again.`,
    );
    process.exit(1);
  }
  console.log(`Installing ${packages.join(' ')} with apt-get (the tests need them)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env,
  });
  const still = checks.filter((c) => !c.ok());
  if (still.length > 0) {
    console.error(`Still missing after apt-get: ${still.map((c) => c.what).join(', ')}.`);
    process.exit(1);
  }
}

try {
  ensurePythonStack();
} catch (err) {
  console.error(`The Python reference environment could not be created: ${err.message}`);
  process.exit(1);
}
