#!/usr/bin/python3
"""The PyTorch peer of bench/train-step.ts: one fine-tuning step of refbert's Bert (the same recipe as
`refbert.py finetune`: dropout 0.1, [CLS] -> pooler -> classifier, cross-entropy, clip 1.0, AdamW) on random
token ids, timed on the same cores. Prints one JSON line per run.

  torch_step.py --model DIR --batch 32 --seq 128 --steps 3 --threads 2
"""
import argparse, json, os, sys, time

import torch
import torch.nn.functional as F

sys.path.insert(0, "/work/shared/tools")
from refbert import Bert, read_model  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    t_start = time.perf_counter()
    cfg, sd = read_model(a.model)
    m = Bert(cfg, sd)
    H, C = cfg["hidden_size"], 2
    head = {"classifier.weight": (torch.randn(C, H) * 0.02).requires_grad_(True),
            "classifier.bias": torch.zeros(C, requires_grad=True)}
    named = [(n, p) for n, p in list(m.p.items()) + list(head.items()) if p.requires_grad]
    decay = [p for n, p in named if not (n.endswith(".bias") or "LayerNorm" in n)]
    nodecay = [p for n, p in named if n.endswith(".bias") or "LayerNorm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": nodecay, "weight_decay": 0.0}],
                            lr=1e-4, eps=1e-8)
    ids = torch.randint(1000, cfg["vocab_size"], (a.batch, a.seq))
    mask = torch.ones(a.batch, a.seq, dtype=torch.long)
    y = torch.randint(0, C, (a.batch,))

    def step():
        x = m.encode(ids, mask, dropout=0.1)
        pooled = F.dropout(m.pooled(x), 0.1, True)
        loss = F.cross_entropy(F.linear(pooled, head["classifier.weight"], head["classifier.bias"]), y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for _, p in named], 1.0)
        opt.step()
        return loss.item()

    step()
    first_s = time.perf_counter() - t_start
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    print(json.dumps({"first_step_s": first_s, "step_s": times[len(times) // 2], "steps": a.steps,
                      "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
