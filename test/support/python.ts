// Runs a Python snippet, JSON in on stdin, JSON out on stdout, so tests compare against live, independent
// reference numbers. Two interpreters: Debian's (torch 1.13, the older refbert.py fixtures) and the real stack
// from pip (torch 2.13, transformers, peft, onnxruntime) in the virtual environment the test command creates.
// Both fail loudly when missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { pythonStackInterpreter, pythonStackReady } from '../python/stack.mjs';

/** Debian's interpreter, the one with torch; `python3` on PATH may be another. */
export const PYTHON = '/usr/bin/python3';

/** The virtual environment's interpreter with transformers, peft, onnxruntime (test/python/requirements.txt). */
export const PYTHON_STACK = pythonStackInterpreter();

export function runPython<T>(code: string, input: unknown): T {
  if (!existsSync(PYTHON))
    throw new Error(`${PYTHON} is missing: install Debian's python3 and python3-torch`);
  return runWith<T>(PYTHON, code, input, 60_000);
}

/** Like runPython, on the real transformers / peft / onnxruntime stack. */
export function runPythonStack<T>(code: string, input: unknown, timeoutMs = 120_000): T {
  if (!pythonStackReady())
    throw new Error(
      `The Python reference environment is missing (${PYTHON_STACK}): run 'node test/ensure-system.mjs' (npm test does).`,
    );
  return runWith<T>(PYTHON_STACK, code, input, timeoutMs);
}

function runWith<T>(python: string, code: string, input: unknown, timeout: number): T {
  const result = spawnSync(python, ['-c', code], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    timeout,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(
      `The Python reference failed (exit ${result.status}): ${result.stderr || result.error?.message}`,
    );
  return JSON.parse(result.stdout) as T;
}
