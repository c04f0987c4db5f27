// Gradients against PyTorch autograd: the cross-entropy gradient of every weight of the three random
// classifier fixtures, from the independent reference forward in ../shared/tools/refarch.py (run with
// /usr/bin/python3, which has torch), compared with tfjs's on cpu and wasm.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { buildClassifier } from '../../src/core/models/build';
import { PYTHON } from '../support/python';
import { sharedModelDir, sharedPath } from '../support/shared';
import { fixtureInputs, loadFixture } from './models-fixtures';

interface TorchGrads {
  loss: number;
  grads: Record<string, { rows?: number[]; values: number[] }>;
}

// Word and position embeddings are sent only for the rows the batch touches; the rest must be zero.
const SCRIPT = `
import json, sys
import torch
import torch.nn.functional as F
sys.path.insert(0, sys.argv[1])
from refarch import forward
from refbert import load_safetensors
d = sys.argv[2]
cfg = json.load(open(d + '/config.json'))
p = load_safetensors(d + '/model.safetensors')
for t in p.values():
    t.requires_grad_(True)
ref = json.load(open(d + '/reference.json'))
ids = torch.tensor(ref['input_ids'])
mask = torch.tensor(ref['attention_mask'])
types = torch.tensor(ref['token_type_ids']) if 'token_type_ids' in ref else torch.zeros_like(ids)
_, logits = forward(cfg, p, ids, mask, types)
labels = torch.arange(ids.shape[0]) % logits.shape[1]
loss = F.cross_entropy(logits, labels)
loss.backward()
out = {}
for name, t in p.items():
    g = t.grad if t.grad is not None else torch.zeros_like(t)
    if name.endswith('word_embeddings.weight') or name.endswith('position_embeddings.weight'):
        rows = sorted(set(torch.nonzero(g.abs().sum(1)).flatten().tolist()))
        out[name] = {'rows': rows, 'values': g[rows].flatten().tolist()}
    else:
        out[name] = {'values': g.flatten().tolist()}
print(json.dumps({'loss': loss.item(), 'grads': out}))
`;

function torchGradients(id: string): TorchGrads {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} (Debian's python3 with python3-torch) is missing`);
  const run = spawnSync(PYTHON, ['-c', SCRIPT, sharedPath('tools'), sharedModelDir(id)], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`the PyTorch reference failed for ${id}: ${run.stderr}`);
  return JSON.parse(run.stdout) as TorchGrads;
}

const report: string[] = [];
afterAll(() => console.log(report.join('\n')));

describe.each([
  'webtune/tiny-random-bert-cls',
  'webtune/tiny-random-distilbert-cls',
  'webtune/tiny-random-roberta-cls',
])('cross-entropy gradients of %s against PyTorch autograd', (id) => {
  const reference = torchGradients(id);
  it.each(['cpu', 'wasm'] as const)('on %s', async (backend) => {
    await initBackend({ prefer: backend });
    const fixture = loadFixture(id);
    const model = buildClassifier(fixture.config, fixture.weights, { numLabels: 3, seed: 0 });
    const inputs = fixtureInputs(fixture.reference);
    const batch = fixture.reference.input_ids.length;
    const labels = tf.tidy(() =>
      tf.oneHot(
        tf.tensor1d(
          Array.from({ length: batch }, (_, i) => i % 3),
          'int32',
        ),
        3,
      ),
    );
    const vars = [...model.variables.values()];
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.forward(inputs, { training: false });
      return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1))) as tf.Scalar;
    }, vars);
    expect(Math.abs((await value.data())[0]! - reference.loss)).toBeLessThan(1e-5);
    let worst = 0;
    let worstName = '';
    expect(Object.keys(reference.grads).sort()).toEqual([...model.variables.keys()].sort());
    for (const [name, variable] of model.variables) {
      const ours = (await grads[variable.name]!.data()) as Float32Array;
      const { rows, values } = reference.grads[name]!;
      const width = rows ? variable.shape[1]! : 0;
      const expected = new Float32Array(ours.length);
      if (rows) rows.forEach((r, k) => expected.set(values.slice(k * width, (k + 1) * width), r * width));
      else expected.set(values);
      let scale = 1e-6;
      let diff = 0;
      for (let i = 0; i < ours.length; i++) {
        scale = Math.max(scale, Math.abs(expected[i]!));
        diff = Math.max(diff, Math.abs(ours[i]! - expected[i]!));
      }
      if (diff / scale > worst) [worst, worstName] = [diff / scale, name];
    }
    report.push(
      `${id} × ${backend}: worst gradient difference ${worst.toExponential(2)} of the tensor's largest (${worstName})`,
    );
    expect(worst).toBeLessThan(1e-4);
    tf.dispose([value, grads, labels, inputs.inputIds, inputs.attentionMask, inputs.tokenTypeIds]);
    model.dispose();
  });
});
