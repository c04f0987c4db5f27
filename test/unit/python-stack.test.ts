// The Python reference environment holds exactly the pinned versions, so every comparison against transformers,
// peft or onnxruntime is against the library the fixtures were made with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runPythonStack } from '../support/python';
import { repoRoot } from '../support/shared';

describe('the Python reference environment', () => {
  it('has every pinned package at its pinned version', () => {
    const pins = Object.fromEntries(
      readFileSync(join(repoRoot, 'test', 'python', 'requirements.txt'), 'utf8')
        .split('\n')
        .filter((line) => line.includes('=='))
        .map((line) => line.trim().split('==') as [string, string]),
    );
    const installed = runPythonStack<Record<string, string>>(
      `import json, sys
from importlib.metadata import version
print(json.dumps({name: version(name) for name in json.load(sys.stdin)}))`,
      Object.keys(pins),
    );
    for (const [name, pinned] of Object.entries(pins)) {
      // torch's wheel carries a local label (2.13.0+cpu), which == ignores as pip does.
      expect(installed[name]?.split('+')[0], name).toBe(pinned);
    }
  });
});
