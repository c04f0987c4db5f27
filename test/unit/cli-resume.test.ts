// A run killed (SIGKILL, no chance to clean up) and continued with --resume ends with the same weights, byte
// for byte, as a run that was never interrupted (wasm backend, a local model folder). A diverging run stops
// with one clear line and leaves its last good checkpoint.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE } from '../../src/cli/checkpoint-file';
import { decodeCheckpoint } from '../../src/core/train/checkpoint';
import { errorLines, runCli, startCli, writeSentimentCsv } from '../support/cli';
import { sharedModelDir } from '../support/shared';

let dir: string;
let env: Record<string, string>;
const args = (out: string, extra: string[] = [], recipe: Record<string, string> = {}) => [
  ...['--data', join(dir, 'train.csv'), '--validation', join(dir, 'dev.csv')],
  ...['--model', sharedModelDir('webtune/tiny-random-bert-cls'), '--out', out],
  // 48 rows / batch 8: 6 steps per epoch, 18 in all; a checkpoint every 3 steps and after each evaluation.
  ...Object.entries({
    '--epochs': '3',
    '--lr': '5e-4',
    '--batch-size': '8',
    '--max-length': '20',
    '--save-steps': '3',
    '--warmup-ratio': '0.2',
    '--weight-decay': '0.01',
    '--seed': '9',
    '--backend': 'wasm',
    ...recipe,
  }).flat(),
  ...extra,
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'webtune-cli-resume-'));
  env = { WEBTUNE_CACHE: join(dir, 'cache') };
  writeSentimentCsv(join(dir, 'train.csv'), 48, 11);
  writeSentimentCsv(join(dir, 'dev.csv'), 10, 12);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves once `path` exists (checked every 10 ms). */
async function appears(path: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('npm run train --resume', () => {
  it('continues a killed run to the same weights as an uninterrupted one', async () => {
    const whole = join(dir, 'whole');
    const killed = join(dir, 'killed');
    const uninterrupted = runCli('train', args(whole), env);
    const victim = startCli('train', args(killed), env);
    await appears(join(killed, CHECKPOINT_FILE), 90_000);
    process.kill(-victim.child.pid!, 'SIGKILL'); // tsx's whole process group: tsx runs node as a child
    const stopped = await victim.done;
    expect(stopped.signal).toBe('SIGKILL');
    const checkpoint = decodeCheckpoint(new Uint8Array(readFileSync(join(killed, CHECKPOINT_FILE))));
    expect(checkpoint.globalStep).toBeGreaterThan(0);
    expect(checkpoint.globalStep).toBeLessThan(18);
    expect(existsSync(join(killed, 'model.safetensors'))).toBe(false);

    const resumed = await runCli('train', args(killed, ['--resume']), env);
    const first = await uninterrupted;
    expect(first.code, first.stderr).toBe(0);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/tokens: read from the cache/);
    const bytes = (folder: string) => readFileSync(join(folder, 'model.safetensors'));
    expect(bytes(killed).equals(bytes(whole))).toBe(true);
    // The log history agrees too (timings aside), and the finished run leaves no checkpoint behind.
    const logs = (folder: string) =>
      (JSON.parse(readFileSync(join(folder, 'metrics.json'), 'utf8')).log_history as Record<string, number>[])
        .filter((r) => 'loss' in r || 'eval_loss' in r)
        .map((r) => [r.step, r.loss ?? r.eval_loss, r.learning_rate ?? r.eval_accuracy]);
    expect(logs(killed)).toEqual(logs(whole));
    expect(existsSync(join(killed, CHECKPOINT_FILE))).toBe(false);
  }, 150_000);

  it('stops a diverging run with one line and keeps the last good checkpoint', async () => {
    const out = join(dir, 'diverged');
    // An absurd learning rate: AdamW moves every weight by about 1e30 in the first step, so the second
    // step's loss is not finite.
    const result = await runCli('train', args(out, [], { '--lr': '1e30', '--warmup-ratio': '0' }), env);
    expect(result.code).toBe(1);
    const lines = errorLines(result.stderr).filter((l) => l.startsWith('error:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /Training stopped at step (\d+) .*because the (loss|gradient norm) is (NaN|-?Infinity).*last good checkpoint/,
    );
    const failedStep = Number(/step (\d+)/.exec(lines[0]!)![1]);
    const checkpoint = decodeCheckpoint(new Uint8Array(readFileSync(join(out, CHECKPOINT_FILE))));
    expect(checkpoint.globalStep).toBe(failedStep - 1);
    for (const [name, t] of checkpoint.weights)
      expect(t.data.every(Number.isFinite), `${name} is finite`).toBe(true);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(false);
  }, 90_000);
});
