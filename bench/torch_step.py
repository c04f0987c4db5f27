"""The PyTorch peer of bench/train-step.ts: one fine-tuning step of Hugging Face transformers'
BertForSequenceClassification (the model the Trainer fine-tunes), as Trainer.training_step + its optimizer step
take it: train mode (dropout 0.1), forward with labels (cross-entropy), backward, clip_grad_norm_(1.0),
torch.optim.AdamW (the Trainer's default adamw_torch, weight decay 0.01 except biases and LayerNorm weights),
zero_grad. Same checkpoint, batch, length and thread count as the tfjs side. Run with the real Python stack
(test/support/python.ts PYTHON_STACK: torch 2.13, transformers 5.18). Prints one JSON line.

  torch_step.py --model DIR --batch 32 --seq 128 --steps 3 --threads 2 [--device cuda]
"""
import argparse, json, time

import torch
import transformers
from transformers import BertForSequenceClassification


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dev = torch.device(a.device)
    t_start = time.perf_counter()
    m = BertForSequenceClassification.from_pretrained(a.model, num_labels=2).to(dev)
    m.train()
    named = [(n, p) for n, p in m.named_parameters() if p.requires_grad]
    nodecay = [p for n, p in named if n.endswith("bias") or "LayerNorm" in n]
    decay = [p for n, p in named if not (n.endswith("bias") or "LayerNorm" in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": nodecay, "weight_decay": 0.0}],
                            lr=1e-4, eps=1e-8)
    vocab = m.config.vocab_size
    ids = torch.randint(1000, vocab, (a.batch, a.seq), device=dev)
    mask = torch.ones(a.batch, a.seq, dtype=torch.long, device=dev)
    y = torch.randint(0, 2, (a.batch,), device=dev)

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    def step():
        out = m(input_ids=ids, attention_mask=mask, labels=y)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_([p for _, p in named], 1.0)
        opt.step()
        opt.zero_grad()
        return out.loss.item()

    step()
    sync()
    first_s = time.perf_counter() - t_start
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    times.sort()
    peak = torch.cuda.max_memory_allocated() if dev.type == "cuda" else None
    print(json.dumps({"first_step_s": first_s, "step_s": times[len(times) // 2], "steps": a.steps,
                      "threads": torch.get_num_threads(), "torch": torch.__version__,
                      "transformers": transformers.__version__, "device": str(dev), "peak_bytes": peak}))


if __name__ == "__main__":
    main()
