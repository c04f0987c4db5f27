// Runs the CLI programs as a person would (`npx tsx src/cli/<name>.ts …`) in a child process, and writes the
// small datasets the CLI tests train on.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../../src/core/random';
import { repoRoot } from './shared';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export type CliProgram = 'train' | 'predict' | 'generate' | 'export';

export interface CliRun {
  child: ChildProcess;
  done: Promise<CliResult>;
}

/** Starts `src/cli/<program>.ts` with the arguments; `env` is added to this process's environment. */
export function startCli(program: CliProgram, args: string[], env: Record<string, string> = {}): CliRun {
  // node_modules/.bin/tsx is what `npx tsx` runs, without npx's own start-up.
  const child = spawn(
    join(repoRoot, 'node_modules', '.bin', 'tsx'),
    [join('src', 'cli', `${program}.ts`), ...args],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a test can kill tsx together with the node process it starts.
      detached: true,
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(program: CliProgram, args: string[], env: Record<string, string> = {}) {
  return startCli(program, args, env).done;
}

/** stderr without npm's and tfjs's own notices, as lines. */
export function errorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^npm warn|^=+$|looks like you are running TensorFlow\.js/.test(l));
}

const POSITIVE = ['good', 'great', 'lovely', 'superb', 'happy', 'nice', 'excellent', 'bright'];
const NEGATIVE = ['bad', 'awful', 'poor', 'sad', 'terrible', 'boring', 'ugly', 'dull'];

/** A two-class sentiment CSV (`text,label`) of `rows` distinct rows, made from the seed. */
export function writeSentimentCsv(path: string, rows: number, seed: number): void {
  const rng = createRng(seed);
  const pick = (words: string[]) => words[Math.floor(rng.next() * words.length)]!;
  const lines = ['text,label'];
  for (let i = 0; i < rows; i++) {
    const positive = rng.next() < 0.5;
    const words = positive ? POSITIVE : NEGATIVE;
    lines.push(
      `"the film was ${pick(words)} and ${pick(words)}, take ${i}",${positive ? 'positive' : 'negative'}`,
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}
