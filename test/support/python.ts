// Runs a Python snippet with Debian's interpreter (the one with torch), JSON in on stdin, JSON out on stdout,
// so tests compare against live, independent reference numbers. Fails loudly when Python or torch is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's interpreter, the one with torch; `python3` on PATH may be another. */
export const PYTHON = '/usr/bin/python3';

export function runPython<T>(code: string, input: unknown): T {
  if (!existsSync(PYTHON))
    throw new Error(`${PYTHON} is missing: install Debian's python3 and python3-torch`);
  const result = spawnSync(PYTHON, ['-c', code], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0)
    throw new Error(
      `The Python reference failed (exit ${result.status}): ${result.stderr || result.error?.message}`,
    );
  return JSON.parse(result.stdout) as T;
}
