"""PyTorch side of the BERT training parity test: refbert.py's Bert (an independent implementation of
transformers' BertModel) with a classification head, trained on the given batches with the Trainer's recipe:
AdamW (no decay on biases and LayerNorm weights), linear warm-up then decay, clip_grad_norm_, dropout 0.
Reads a JSON case on stdin, prints the per-step loss, gradient norm and learning rate as JSON."""
import json, os, sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.environ["WEBTUNE_TOOLS"])  # ../shared/tools, set by the test
from refbert import Bert, read_model  # noqa: E402

torch.use_deterministic_algorithms(True)
case = json.load(sys.stdin)
cfg, sd = read_model(case["model"])
model = Bert(cfg, sd)
head = {n: torch.tensor(w["data"], dtype=torch.float32).reshape(w["shape"]).requires_grad_(True)
        for n, w in case["head"].items()}
named = [(n, p) for n, p in model.p.items() if p.requires_grad] + list(head.items())
no_decay = lambda n: n.endswith("bias") or "LayerNorm.weight" in n
opt = torch.optim.AdamW([
    {"params": [p for n, p in named if not no_decay(n)], "weight_decay": case["wd"]},
    {"params": [p for n, p in named if no_decay(n)], "weight_decay": 0.0},
], lr=case["lr"], betas=(0.9, 0.999), eps=1e-8)
T, W = case["total"], case["warmup"]
def linear(s):
    if s < W: return float(s) / float(max(1, W))
    return max(0.0, float(T - s) / float(max(1, T - W)))
sched = torch.optim.lr_scheduler.LambdaLR(opt, linear)

log = []
for batch in case["steps"]:
    rows = batch["ids"]
    L = max(len(r) for r in rows)
    ids = torch.tensor([r + [cfg.get("pad_token_id", 0)] * (L - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (L - len(r)) for r in rows])
    pooled = model.pooled(model.encode(ids, mask))
    logits = F.linear(pooled, head["classifier.weight"], head["classifier.bias"])
    loss = F.cross_entropy(logits, torch.tensor(batch["labels"]))
    opt.zero_grad()
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_([p for _, p in named], case["max_norm"])
    opt.step()
    sched.step()
    log.append({"loss": loss.item(), "grad_norm": norm.item(), "learning_rate": sched.get_last_lr()[0]})
json.dump({"log": log}, sys.stdout)
