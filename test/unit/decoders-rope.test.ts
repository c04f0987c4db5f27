// Rotary scaling against transformers 5.18: tiny random Llamas saved by transformers with rope_type llama3
// (Llama 3.1 / 3.2) and linear in rope_parameters, and one in the transformers-4 layout (rope_theta at the top,
// rope_scaling), compared on a 96-token sequence (past the llama3 original context of 32, where the scaling
// bites). Other rope types are refused by name.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { readSafetensors } from '../../src/core/hub/safetensors';
import { buildCausalLM } from '../../src/core/models/causal-lm';
import type { HFConfig } from '../../src/core/models/types';
import { runPythonStack } from '../support/python';
import { maxAbsDiff } from './models-fixtures';
import { tinyDecoderConfig } from './decoder-fixtures';

const IDS = Array.from({ length: 96 }, (_, i) => (i * 13 + 5) % 40);
const SCALINGS: Record<string, Record<string, unknown>> = {
  llama3: {
    rope_parameters: {
      rope_type: 'llama3',
      rope_theta: 500000,
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 32,
    },
  },
  linear: { rope_parameters: { rope_type: 'linear', rope_theta: 10000, factor: 4 } },
};

let dir: string;
let logits: Record<string, number[]>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'webtune-rope-'));
  // LlamaConfig's own fields: no model_type, and the rope settings come from each case.
  const {
    model_type: _type,
    rope_theta: _theta,
    ...base
  } = {
    ...tinyDecoderConfig('llama'),
    max_position_embeddings: 128,
  } as Record<string, unknown>;
  const jobs = Object.entries(SCALINGS).map(([name, rope]) => ({
    name,
    config: { ...base, ...rope },
    out: join(dir, name),
  }));
  logits = runPythonStack<Record<string, number[]>>(
    `import json, sys, torch
from transformers import LlamaConfig, LlamaForCausalLM
job = json.load(sys.stdin)
out = {}
for case in job["cases"]:
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(**case["config"])).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.3)
    model.save_pretrained(case["out"])
    with torch.no_grad():
        out[case["name"]] = model(torch.tensor([job["ids"]])).logits[0].flatten().tolist()
print(json.dumps(out))`,
    { cases: jobs, ids: IDS },
    300_000,
  );
}, 320_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rotary scaling as transformers (cpu)', () => {
  it.each(Object.keys(SCALINGS))('rope_type %s', async (name) => {
    await initBackend({ prefer: 'cpu' });
    const folder = join(dir, name);
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as HFConfig;
    const model = buildCausalLM(
      config,
      readSafetensors(new Uint8Array(readFileSync(join(folder, 'model.safetensors')))),
    );
    const ours = tf.tidy(() =>
      model.logits(
        model.hiddenStates({ inputIds: tf.tensor2d([IDS], undefined, 'int32') }, { training: false }),
      ),
    );
    const diff = maxAbsDiff(await ours.data(), logits[name]!);
    console.log(`rope ${name}: logits over 96 positions, max |diff| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(1e-4);
    // The scaling matters here: without it the logits are far off.
    const unscaled = buildCausalLM(
      {
        ...config,
        rope_parameters: {
          rope_type: 'default',
          rope_theta: (config.rope_parameters as { rope_theta: number }).rope_theta,
        },
      },
      readSafetensors(new Uint8Array(readFileSync(join(folder, 'model.safetensors')))),
    );
    const plain = tf.tidy(() =>
      unscaled.logits(
        unscaled.hiddenStates({ inputIds: tf.tensor2d([IDS], undefined, 'int32') }, { training: false }),
      ),
    );
    expect(maxAbsDiff(await plain.data(), logits[name]!)).toBeGreaterThan(1e-2);
    tf.dispose([ours, plain]);
    model.dispose();
    unscaled.dispose();
  });

  it('refuses rope types it does not implement, naming them', () => {
    const config = {
      ...tinyDecoderConfig('llama'),
      rope_parameters: { rope_type: 'yarn', factor: 4, rope_theta: 1e4 },
    };
    expect(() => buildCausalLM(config, new Map(), { modelName: 'm' })).toThrow(
      /m \(config.json\) rope_parameters asks for rope_type "yarn" rotary scaling, which WebTune does not implement; supported: default, linear, llama3/,
    );
    const old = { ...tinyDecoderConfig('llama'), rope_scaling: { type: 'dynamic', factor: 2 } };
    expect(() => buildCausalLM(old, new Map(), { modelName: 'm' })).toThrow(/rope_type "dynamic"/);
  });
});
