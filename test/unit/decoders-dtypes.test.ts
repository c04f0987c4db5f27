// Decoders from BF16 and F16 checkpoints, sharded, as real SmolLM2 / Qwen2.5 releases are: transformers saves the
// Llama and Qwen2 fixtures in each dtype with small shards; loadCausalLM reads them from the Hub mirror, and the
// last logits of the reference batch match transformers' own forward of the same files (upcast to float32).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { loadCausalLM } from '../../src/core/generate';
import { hubSource } from '../../src/core/hub';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { runPythonStack } from '../support/python';
import { sharedModelDir } from '../support/shared';
import { loadDecoderFixture } from './decoder-fixtures';
import { maxAbsDiff } from './models-fixtures';

const CASES = [
  ['webtune/tiny-random-llama', 'bfloat16'],
  ['webtune/tiny-random-qwen2', 'float16'],
] as const;

let dir: string;
let mirror: HubMirror;
let expected: Record<string, number[][]>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'webtune-decoder-dtypes-'));
  const jobs = CASES.map(([id, dtype]) => ({
    source: sharedModelDir(id),
    out: join(dir, `${id.split('/')[1]}-${dtype}`),
    dtype,
    key: `${id}@${dtype}`,
    input_ids: loadDecoderFixture(id).reference.input_ids,
  }));
  expected = runPythonStack<Record<string, number[][]>>(
    `import json, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
out = {}
for job in json.load(sys.stdin):
    model = AutoModelForCausalLM.from_pretrained(job["source"], dtype=getattr(torch, job["dtype"]))
    model.save_pretrained(job["out"], max_shard_size="4MB")
    AutoTokenizer.from_pretrained(job["source"]).save_pretrained(job["out"])
    upcast = AutoModelForCausalLM.from_pretrained(job["out"], dtype=torch.float32).eval()
    with torch.no_grad():
        logits = upcast(torch.tensor(job["input_ids"])).logits
    out[job["key"]] = logits[:, -1, :200].tolist()
print(json.dumps(out))`,
    jobs,
    300_000,
  );
  mirror = await startHubMirror({
    repos: Object.fromEntries(
      CASES.map(([id, dtype]) => [
        `webtune/${dtype}-${id.split('/')[1]}`,
        join(dir, `${id.split('/')[1]}-${dtype}`),
      ]),
    ),
  });
}, 320_000);

afterAll(async () => {
  await mirror?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('decoders from sharded BF16 and F16 checkpoints (wasm)', () => {
  it.each(CASES)('%s in %s', async (id, dtype) => {
    const folder = join(dir, `${id.split('/')[1]}-${dtype}`);
    expect(readdirSync(folder)).toContain('model.safetensors.index.json');
    await initBackend({ prefer: 'wasm' });
    const lm = await loadCausalLM(
      hubSource(`webtune/${dtype}-${id.split('/')[1]}`, { endpoint: mirror.url }),
    );
    expect(lm.pretrained.weightFiles.length).toBeGreaterThan(1);
    const inputIds = tf.tensor2d(loadDecoderFixture(id).reference.input_ids, undefined, 'int32');
    const last = tf.tidy(() =>
      lm.model.nextTokenLogits({ inputIds }, { training: false }).slice([0, 0], [-1, 200]),
    );
    const diff = maxAbsDiff(await last.data(), expected[`${id}@${dtype}`]!.flat());
    console.log(
      `${id} saved as ${dtype} in ${lm.pretrained.weightFiles.length} shards: last logits max |diff| ${diff.toExponential(2)}`,
    );
    expect(diff).toBeLessThanOrEqual(1e-4);
    tf.dispose([inputIds, last]);
    lm.model.dispose();
  });
});
