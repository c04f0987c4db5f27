// The whole loop against PyTorch: the toy classifier written again in torch, fed the same initial weights and
// the same batches, trained with torch.optim.AdamW (transformers' decay groups), LambdaLR with transformers'
// schedule formulas, clip_grad_norm_, F.cross_entropy with label smoothing, and the loss divided by the micro-batches of each update.
// The per-step losses, gradient norms, learning rates and final weights must agree.
import { beforeAll, describe, expect, it } from 'vitest';

import { initBackend } from '../../src/core/backend';
import { createRng, nextSeed } from '../../src/core/random';
import { resolveTrainingArguments, type TrainingArguments } from '../../src/core/train/arguments';
import { epochBatches } from '../../src/core/train/batching';
import { countTrainingSteps, train } from '../../src/core/train/trainer';
import { getWarmupSteps } from '../../src/core/train/schedules';
import { snapshotWeights } from '../../src/core/train/weights';
import { runPython } from '../support/python';
import { createToyClassifier, toyDataset } from '../support/toy-classifier';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const TOY_TORCH_PY = `
import json, math, sys, torch
import torch.nn.functional as F
torch.use_deterministic_algorithms(True)
case = json.load(sys.stdin)
P = {n: torch.nn.Parameter(torch.tensor(w['data'], dtype=torch.float32).reshape(w['shape'])) for n, w in case['weights'].items()}
no_decay = lambda n: n.endswith('bias') or 'LayerNorm.weight' in n
opt = torch.optim.AdamW([
    {'params': [p for n, p in P.items() if not no_decay(n)], 'weight_decay': case['wd']},
    {'params': [p for n, p in P.items() if no_decay(n)], 'weight_decay': 0.0},
], lr=case['lr'], betas=(0.9, 0.999), eps=1e-8)
T, W = case['total'], case['warmup']
def linear(s):
    if s < W: return float(s) / float(max(1, W))
    return max(0.0, float(T - s) / float(max(1, T - W)))
def cosine(s):
    if s < W: return float(s) / float(max(1, W))
    p = float(s - W) / float(max(1, T - W))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * p)))
sched = torch.optim.lr_scheduler.LambdaLR(opt, {'linear': linear, 'cosine': cosine}[case['scheduler']])
def forward(rows):
    L = max(len(r) for r in rows)
    ids = torch.tensor([r + [0] * (L - len(r)) for r in rows])
    mask = torch.tensor([[1.0] * len(r) + [0.0] * (L - len(r)) for r in rows])
    emb = P['embeddings.word_embeddings.weight'][ids]
    pooled = (emb * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
    h = torch.tanh(pooled @ P['pre_classifier.weight'].T + P['pre_classifier.bias']) * P['pre_classifier.LayerNorm.weight']
    return h @ P['classifier.weight'].T + P['classifier.bias']
log = []
for group in case['steps']:
    opt.zero_grad()
    step_loss = 0.0
    for micro in group:
        # Trainer.training_step: loss / current_gradient_accumulation_steps (the micro-batches of this update)
        loss = F.cross_entropy(forward(micro['ids']), torch.tensor(micro['labels']), label_smoothing=case['ls']) / len(group)
        loss.backward()
        step_loss += loss.item()
    norm = torch.nn.utils.clip_grad_norm_(list(P.values()), case['max_norm'])
    opt.step(); sched.step()
    log.append({'loss': step_loss, 'grad_norm': norm.item(), 'learning_rate': sched.get_last_lr()[0]})
json.dump({'log': log, 'weights': {n: p.detach().reshape(-1).tolist() for n, p in P.items()}}, sys.stdout)
`;

/** The micro-batches of each optimizer step, from the run's documented random stream. */
function plannedSteps(examples: ReturnType<typeof toyDataset>, args: TrainingArguments): number[][][] {
  const rng = createRng(args.seed);
  const { totalSteps } = countTrainingSteps(examples.length, args);
  const steps: number[][][] = [];
  while (steps.length < totalSteps) {
    const batches = epochBatches(examples, args.per_device_train_batch_size, rng, args.group_by_length);
    for (let i = 0; i < batches.length && steps.length < totalSteps; i += args.gradient_accumulation_steps) {
      const group = batches.slice(i, i + args.gradient_accumulation_steps);
      for (let j = 0; j < group.length; j++) nextSeed(rng); // one dropout seed per micro-batch
      steps.push(group);
    }
  }
  return steps;
}

describe('the training loop matches the same recipe in PyTorch', () => {
  const cases: Partial<TrainingArguments>[] = [
    {
      lr_scheduler_type: 'linear',
      learning_rate: 0.05,
      num_train_epochs: 2,
      // 37 rows: 7 batches of up to 6, so each epoch ends with a partial accumulation step of one batch.
      per_device_train_batch_size: 6,
      gradient_accumulation_steps: 2,
      warmup_ratio: 0.2,
      weight_decay: 0.05,
      max_grad_norm: 0.5,
      label_smoothing_factor: 0.1,
      seed: 3,
    },
    {
      lr_scheduler_type: 'cosine',
      learning_rate: 0.02,
      num_train_epochs: 2,
      per_device_train_batch_size: 4,
      warmup_steps: 2,
      weight_decay: 0.01,
      group_by_length: true,
      seed: 11,
    },
  ];
  it.each(cases)('%o', async (options) => {
    const args = resolveTrainingArguments({ ...options, logging_steps: 1 });
    const examples = toyDataset(37, 31);
    const model = createToyClassifier({ dropout: 0, seed: 6 });
    const initial = await snapshotWeights(model);
    const { totalSteps } = countTrainingSteps(examples.length, args);
    const steps = plannedSteps(examples, args);
    const reference = runPython<{
      log: { loss: number; grad_norm: number; learning_rate: number }[];
      weights: Record<string, number[]>;
    }>(TOY_TORCH_PY, {
      weights: Object.fromEntries(
        [...initial].map(([n, w]) => [n, { shape: w.shape, data: Array.from(w.data) }]),
      ),
      steps: steps.map((group) =>
        group.map((micro) => ({
          ids: micro.map((i) => examples[i]!.inputIds),
          labels: micro.map((i) => examples[i]!.label),
        })),
      ),
      lr: args.learning_rate,
      wd: args.weight_decay,
      ls: args.label_smoothing_factor,
      max_norm: args.max_grad_norm,
      total: totalSteps,
      warmup: getWarmupSteps(totalSteps, args.warmup_ratio, args.warmup_steps),
      scheduler: args.lr_scheduler_type,
    });

    const result = await train(model, { train: examples }, args);
    const ours = result.logHistory.filter((r) => 'loss' in r);
    expect(ours).toHaveLength(reference.log.length);
    ours.forEach((r, i) => {
      const ref = reference.log[i]!;
      expect(Math.abs(r.loss! - ref.loss), `loss at step ${i + 1}`).toBeLessThan(1e-5);
      expect(Math.abs(r.grad_norm! - ref.grad_norm), `grad_norm at step ${i + 1}`).toBeLessThan(1e-5);
      expect(Math.abs(r.learning_rate! - ref.learning_rate), `learning_rate at step ${i + 1}`).toBeLessThan(
        1e-9,
      );
    });
    const final = await snapshotWeights(model);
    for (const [name, w] of final) {
      const ref = reference.weights[name]!;
      const diff = w.data.reduce((m, x, i) => Math.max(m, Math.abs(x - ref[i]!)), 0);
      expect(diff, name).toBeLessThan(1e-5);
    }
    model.dispose();
  });
});
