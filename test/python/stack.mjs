// The real Python stack (torch, transformers, peft, onnxruntime, …) in a virtual environment in the user's cache
// folder, named by the hash of requirements.txt: created once by the test command, reused by every clone after
// it, and replaced when the pins change. A `.complete` marker is written only after pip succeeded, so an install
// that was killed half-way is redone, never used.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const requirements = join(dirname(fileURLToPath(import.meta.url)), 'requirements.txt');

export function pythonStackDir() {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const hash = createHash('sha256').update(readFileSync(requirements)).digest('hex').slice(0, 12);
  return join(cache, 'webtune', `python-stack-${hash}`);
}

export function pythonStackInterpreter() {
  return join(pythonStackDir(), 'bin', 'python');
}

export function pythonStackReady() {
  return existsSync(join(pythonStackDir(), '.complete'));
}

/** Creates the environment when missing; returns its interpreter. Throws with pip's message on failure. */
export function ensurePythonStack() {
  const dir = pythonStackDir();
  if (pythonStackReady()) return pythonStackInterpreter();
  console.log(`Creating the Python reference environment in ${dir} (once per machine)…`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  run('python3', ['-m', 'venv', dir]);
  // --retries 0: the public index is unreachable here; the local index answers at once.
  run(join(dir, 'bin', 'pip'), ['install', '--quiet', '--retries', '0', '-r', requirements]);
  writeFileSync(join(dir, '.complete'), new Date().toISOString());
  return pythonStackInterpreter();
}

// pip's many index warnings stay hidden unless the command fails; then its whole output is shown.
function run(command, args) {
  try {
    execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const output = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim();
    throw new Error(`${command} ${args.join(' ')} failed:\n${output.slice(-4000)}`, {
      cause: err,
    });
  }
}
