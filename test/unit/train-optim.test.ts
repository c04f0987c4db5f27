// AdamW, the LR schedules, global-norm clipping and the loss against PyTorch 1.13 (torch.optim.AdamW,
// clip_grad_norm_, LambdaLR with transformers' schedule formulas, F.cross_entropy), on hand-made cases.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { AdamW, decaysWeight } from '../../src/core/train/adamw';
import { clipByGlobalNorm } from '../../src/core/train/clip';
import { crossEntropy } from '../../src/core/train/loss';
import { meanCrossEntropy } from '../../src/core/metrics/probabilities';
import { createSchedule, getWarmupSteps, type SchedulerType } from '../../src/core/train/schedules';
import { runPython } from '../support/python';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs((actual[i] as number) - (expected[i] as number));
    if (!(diff <= tol))
      throw new Error(`${what}[${i}]: got ${actual[i]}, PyTorch ${expected[i]} (|Δ| ${diff} > ${tol})`);
  }
}

const ADAMW_PY = `
import json, sys, torch
case = json.load(sys.stdin)
params = {n: torch.nn.Parameter(torch.tensor(p['data'], dtype=torch.float32).reshape(p['shape'])) for n, p in case['params'].items()}
decay = [p for n, p in params.items() if n in case['decay']]
no_decay = [p for n, p in params.items() if n not in case['decay']]
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': case['wd']}, {'params': no_decay, 'weight_decay': 0.0}],
                        lr=1.0, betas=(0.9, 0.999), eps=1e-8)
history = []
for step, (lr, grads) in enumerate(zip(case['lrs'], case['grads'])):
    for g in opt.param_groups: g['lr'] = lr
    for n, p in params.items(): p.grad = torch.tensor(grads[n], dtype=torch.float32).reshape(p.shape)
    opt.step()
    history.append({n: p.detach().reshape(-1).tolist() for n, p in params.items()})
json.dump(history, sys.stdout)
`;

describe('AdamW matches torch.optim.AdamW', () => {
  it('applies decoupled weight decay, bias correction and the decay exclusions', async () => {
    const shapes: Record<string, number[]> = {
      'bert.encoder.layer.0.attention.self.query.weight': [3, 4],
      'bert.encoder.layer.0.attention.self.query.bias': [3],
      'bert.embeddings.LayerNorm.weight': [4],
      'distilbert.transformer.layer.0.sa_layer_norm.weight': [2],
      'classifier.weight': [2, 4],
      // Gradients of ~1e-8, where ε = 1e-8 (not tfjs' 1e-7) and its place in the denominator decide the step.
      'tiny.weight': [3],
    };
    // Hand-made values: smooth, signed, of different magnitudes (one step has a large gradient).
    const fill = (n: number, k: number, scale: number) =>
      Array.from({ length: n }, (_, i) => scale * (Math.sin(1.3 * i + 0.7 * k) + 0.05 * k));
    const names = Object.keys(shapes);
    const size = (name: string) => shapes[name]!.reduce((a, b) => a * b, 1);
    const params = Object.fromEntries(
      names.map((n, k) => [n, { shape: shapes[n], data: fill(size(n), k, 0.8) }]),
    );
    const lrs = [1e-3, 5e-3, 2e-2, 2e-2, 1e-2, 0];
    const grads = lrs.map((_, s) =>
      Object.fromEntries(
        names.map((n, k) => [
          n,
          fill(size(n), k + 3 * s, n === 'tiny.weight' ? 1e-8 : s === 3 ? 30 : 0.1 + 0.2 * s),
        ]),
      ),
    );
    const decay = names.filter(decaysWeight);
    expect(decay).toEqual([
      'bert.encoder.layer.0.attention.self.query.weight',
      'classifier.weight',
      'tiny.weight',
    ]);
    const wd = 0.1;
    const reference = runPython<Record<string, number[]>[]>(ADAMW_PY, { params, decay, wd, lrs, grads });

    const vars = new Map(names.map((n) => [n, tf.variable(tf.tensor(params[n]!.data, shapes[n]))]));
    const opt = new AdamW(vars, { weightDecay: wd });
    const before = tf.memory().numTensors;
    lrs.forEach((lr, s) => {
      const g = new Map(names.map((n) => [n, tf.tensor(grads[s]![n]!, shapes[n])]));
      opt.applyGradients(g, lr);
      tf.dispose([...g.values()]);
      expect(tf.memory().numTensors).toBe(before);
      for (const n of names)
        expectClose(vars.get(n)!.dataSync(), reference[s]![n]!, 1e-6, `step ${s + 1} ${n}`);
    });
    expect(opt.step).toBe(lrs.length);

    // The moments survive a round trip through getState / setState.
    const state = await opt.getState();
    const copy = new AdamW(vars, { weightDecay: wd });
    copy.setState(state);
    expect(await copy.getState()).toEqual(state);
    opt.dispose();
    copy.dispose();
    for (const v of vars.values()) v.dispose();
  });
});

const SCHEDULE_PY = `
import json, math, sys, torch
from torch.optim.lr_scheduler import LambdaLR
def run(case):
  T, ratio, wsteps = case['total'], case['ratio'], case['warmup_steps']
  W = wsteps if wsteps > 0 else math.ceil(T * ratio)   # TrainingArguments.get_warmup_steps
  def linear(s):
      if s < W: return float(s) / float(max(1, W))
      return max(0.0, float(T - s) / float(max(1, T - W)))
  def cosine(s, cycles=0.5):
      if s < W: return float(s) / float(max(1, W))
      p = float(s - W) / float(max(1, T - W))
      return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(cycles) * 2.0 * p)))
  def constant(s): return 1.0
  def constant_with_warmup(s):
      if s < W: return float(s) / float(max(1.0, W))
      return 1.0
  out = {'warmup': W}
  for name, fn in [('linear', linear), ('cosine', cosine), ('constant', constant), ('constant_with_warmup', constant_with_warmup)]:
      p = torch.nn.Parameter(torch.zeros(1))
      opt = torch.optim.SGD([p], lr=case['lr'])
      sched = LambdaLR(opt, fn)
      lrs = []
      for _ in range(T + 2):
          lrs.append(opt.param_groups[0]['lr'])
          opt.step(); sched.step()
      out[name] = lrs
  return out
json.dump([run(c) for c in json.load(sys.stdin)], sys.stdout)
`;

describe('LR schedules match transformers get_scheduler (through torch LambdaLR)', () => {
  const cases = [
    { total: 37, ratio: 0.1, warmup_steps: 0, lr: 2e-4 },
    { total: 10, ratio: 0, warmup_steps: 0, lr: 5e-5 },
    { total: 25, ratio: 0.5, warmup_steps: 3, lr: 1e-3 },
    { total: 1, ratio: 0.06, warmup_steps: 0, lr: 3e-5 },
  ];
  let refs: (Record<string, number[]> & { warmup: number })[] = [];
  beforeAll(() => {
    refs = runPython(SCHEDULE_PY, cases);
  });
  it.each(cases.map((c, i) => ({ ...c, i })))(
    'total $total, warmup_ratio $ratio, warmup_steps $warmup_steps',
    (c) => {
      const ref = refs[c.i]!;
      const warmup = getWarmupSteps(c.total, c.ratio, c.warmup_steps);
      expect(warmup).toBe(ref.warmup);
      for (const type of ['linear', 'cosine', 'constant', 'constant_with_warmup'] as SchedulerType[]) {
        const lrAt = createSchedule(c.lr, { type, numWarmupSteps: warmup, numTrainingSteps: c.total });
        const ours = ref[type]!.map((_, step) => lrAt(step));
        expectClose(ours, ref[type]!, 1e-6 * c.lr, type);
      }
    },
  );

  it('rejects an unknown scheduler by name', () => {
    expect(() =>
      createSchedule(1, { type: 'polynomial' as SchedulerType, numWarmupSteps: 0, numTrainingSteps: 5 }),
    ).toThrow(
      'Unknown lr_scheduler_type "polynomial"; use one of linear, cosine, constant, constant_with_warmup',
    );
  });
});

const CLIP_PY = `
import json, sys, torch
def run(case):
    ps = []
    for g in case['grads']:
        p = torch.nn.Parameter(torch.zeros(len(g)))
        p.grad = torch.tensor(g, dtype=torch.float32)
        ps.append(p)
    norm = torch.nn.utils.clip_grad_norm_(ps, case['max_norm'])
    return {'norm': norm.item(), 'grads': [p.grad.tolist() for p in ps]}
json.dump([run(c) for c in json.load(sys.stdin)], sys.stdout)
`;

describe('clipByGlobalNorm matches torch.nn.utils.clip_grad_norm_', () => {
  const grads = [
    [0.3, -1.2, 2.5, 0.01],
    [4, -3],
    [0.5, 0.25, -0.125],
  ];
  const cases = [
    { scale: 1, maxNorm: 1 },
    { scale: 0.05, maxNorm: 1 },
    { scale: 1, maxNorm: 0.5 },
    { scale: 1e-7, maxNorm: 1e-7 },
  ].map((c, i) => ({ ...c, i }));
  let refs: { norm: number; grads: number[][] }[] = [];
  beforeAll(() => {
    refs = runPython(
      CLIP_PY,
      cases.map(({ scale, maxNorm }) => ({
        grads: grads.map((g) => g.map((x) => x * scale)),
        max_norm: maxNorm,
      })),
    );
  });
  it.each(cases)('gradients × $scale, max_norm $maxNorm', ({ scale, maxNorm, i: c }) => {
    const scaled = grads.map((g) => g.map((x) => x * scale));
    const ref = refs[c]!;
    const input = new Map(scaled.map((g, i) => [`p${i}`, tf.tensor1d(g)]));
    const before = tf.memory().numTensors;
    const { grads: clipped, totalNorm } = clipByGlobalNorm(input, maxNorm);
    expect(tf.memory().numTensors).toBe(before + 1 + clipped.size);
    expectClose([totalNorm.dataSync()[0]!], [ref.norm], 1e-6 * Math.max(1, ref.norm), 'norm');
    scaled.forEach((_, i) =>
      expectClose(clipped.get(`p${i}`)!.dataSync(), ref.grads[i]!, 1e-6 * scale, `grad ${i}`),
    );
    tf.dispose([totalNorm, ...clipped.values(), ...input.values()]);
  });
});

const LOSS_PY = `
import json, sys, torch
def run(case):
    logits = torch.tensor(case['logits'], dtype=torch.float32, requires_grad=True)
    labels = torch.tensor(case['labels'])
    loss = torch.nn.functional.cross_entropy(logits, labels, label_smoothing=case['smoothing'])
    loss.backward()
    return {'loss': loss.item(), 'grad': logits.grad.reshape(-1).tolist()}
json.dump([run(c) for c in json.load(sys.stdin)], sys.stdout)
`;

describe('crossEntropy matches torch F.cross_entropy, with label smoothing', () => {
  const logits = [
    [2.0, -1.0, 0.5],
    [-0.3, 0.8, 3.1],
    [10.0, -10.0, 0.0],
    [0.0, 0.0, 0.0],
  ];
  const labels = [0, 2, 1, 1];
  const smoothings = [0, 0.1, 0.3];
  let refs: { loss: number; grad: number[] }[] = [];
  beforeAll(() => {
    refs = runPython(
      LOSS_PY,
      smoothings.map((smoothing) => ({ logits, labels, smoothing })),
    );
  });
  it.each(smoothings.map((s, i) => [s, i]))('label_smoothing %s: loss and its gradient', (smoothing, c) => {
    const ref = refs[c]!;
    const x = tf.tensor2d(logits);
    const y = tf.tensor1d(labels, 'int32');
    const { value, grad } = tf.valueAndGrad((l: tf.Tensor) => crossEntropy(l as tf.Tensor2D, y, smoothing))(
      x,
    );
    expectClose(value.dataSync(), [ref.loss], 1e-6 * Math.max(1, ref.loss), 'loss');
    expectClose(grad.dataSync(), ref.grad, 1e-6, 'dloss/dlogits');
    tf.dispose([x, y, value, grad]);
  });
  it.each(smoothings.map((s, i) => [s, i]))(
    'label_smoothing %s: the evaluation loss on read-back logits (float64)',
    (smoothing, c) => {
      const ref = refs[c]!;
      expectClose(
        [meanCrossEntropy(logits, labels, smoothing)],
        [ref.loss],
        1e-6 * Math.max(1, ref.loss),
        'loss',
      );
    },
  );
  it('refuses labels outside the classes and a smoothing outside [0, 1)', () => {
    expect(() => meanCrossEntropy(logits, [0, 2, 3, 1])).toThrow('Label 3 is not one of the 3 classes');
    expect(() => meanCrossEntropy(logits, labels, 1)).toThrow('label_smoothing_factor must be in [0, 1)');
    expect(() => meanCrossEntropy(logits, [0, 1])).toThrow('4 rows of logits but 2 labels');
  });
});
