// Runs test/support/torch-fixtures.py with the system PyTorch (/usr/bin/python3) to write checkpoint files the
// hub tests read: pytorch_model.bin in several dtypes, F16/BF16 safetensors with torch's rounding as the expected
// values, a sharded checkpoint, strided views and a hostile pickle. Fails loudly when torch is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './shared';
import { PYTHON } from './python';

export const SYSTEM_PYTHON = PYTHON;

export interface TorchFixtures {
  dir: string;
  /** Where the hostile pickle's os.system would create a file if it ever ran. */
  marker: string;
}

export function writeTorchFixtures(sourceSafetensors: string): TorchFixtures {
  if (!existsSync(SYSTEM_PYTHON)) {
    throw new Error(`${SYSTEM_PYTHON} is missing: the hub tests need Debian's python3 with python3-torch`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'webtune-torch-'));
  const marker = join(dir, 'pwned-by-pickle');
  try {
    execFileSync(
      SYSTEM_PYTHON,
      [join(repoRoot, 'test/support/torch-fixtures.py'), sourceSafetensors, dir, marker],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`PyTorch could not write the test checkpoints (is python3-torch installed?): ${stderr}`, {
      cause: error,
    });
  }
  return { dir, marker };
}
