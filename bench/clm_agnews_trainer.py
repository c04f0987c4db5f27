# The peer of bench/clm-agnews.ts: transformers' Trainer fine-tuning the same GPT-2 on the same texts with the
# same recipe and the same data preparation as WebTune's packing (each text tokenised, EOS after it, all
# concatenated, cut into block_size blocks, the remainder dropped; validation packed the same way). Reads one JSON
# object on stdin, prints one JSON object: eval_loss, perplexity, train tokens/s, wall seconds and greedy
# continuations of the prompts before and after.
import json
import math
import sys
import time

import torch
from datasets import Dataset
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    Trainer,
    TrainingArguments,
    default_data_collator,
)

cfg = json.load(sys.stdin)
# The Trainer prints its metrics to stdout; only the result may go there, so the rest goes to stderr.
result_stream, sys.stdout = sys.stdout, sys.stderr
torch.set_num_threads(cfg.get("threads", 2))
tok = AutoTokenizer.from_pretrained(cfg["model"])


def packed(texts):
    ids = [i for t in texts for i in tok(t)["input_ids"] + [tok.eos_token_id]]
    b = cfg["block_size"]
    n = len(ids) // b * b
    blocks = [ids[i : i + b] for i in range(0, n, b)]
    return Dataset.from_dict({"input_ids": blocks, "labels": [list(x) for x in blocks]})


train, valid = packed(cfg["train"]), packed(cfg["validation"])


def continuations(model):
    model.eval()
    out = []
    with torch.no_grad():
        for p in cfg["prompts"]:
            ids = tok(p, return_tensors="pt").input_ids
            g = model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=20,
                do_sample=False,
                pad_token_id=tok.eos_token_id,
            )
            out.append(tok.decode(g[0][ids.shape[1] :], skip_special_tokens=True))
    return out


results = {
    "before": continuations(AutoModelForCausalLM.from_pretrained(cfg["model"])),
    "runs": [],
}
for seed in cfg["seeds"]:
    model = AutoModelForCausalLM.from_pretrained(cfg["model"])
    # GPT2LMHeadModel has no loss_type, so the Trainer (transformers 5.18) counts all block_size labels of a
    # block as items where the shifted loss predicts block_size - 1, and its losses come out block_size /
    # (block_size - 1) too low (a perplexity ~5 % lower at a loss of 6.6). Named, the loss is averaged over the
    # predicted tokens, as the Trainer does for Llama and Qwen2 and as WebTune and model(labels=...) do.
    model.loss_type = "ForCausalLM"
    args = TrainingArguments(
        output_dir=cfg["work"] + f"/trainer-{seed}",
        num_train_epochs=cfg["epochs"],
        learning_rate=cfg["lr"],
        per_device_train_batch_size=cfg["batch"],
        per_device_eval_batch_size=cfg["batch"],
        # transformers 5 takes the warm-up as a share of the steps when warmup_steps is below 1.
        warmup_steps=cfg["warmup_ratio"],
        weight_decay=cfg["weight_decay"],
        seed=seed,
        save_strategy="no",
        report_to=[],
        logging_steps=50,
        use_cpu=True,
        dataloader_num_workers=0,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train,
        eval_dataset=valid,
        data_collator=default_data_collator,
    )
    started = time.time()
    out = trainer.train()
    wall = time.time() - started
    ev = trainer.evaluate()
    results["runs"].append(
        {
            "seed": seed,
            "eval_loss": ev["eval_loss"],
            "perplexity": math.exp(ev["eval_loss"]),
            "train_runtime": out.metrics["train_runtime"],
            "tokens_per_second": len(train)
            * cfg["block_size"]
            * cfg["epochs"]
            / out.metrics["train_runtime"],
            "wall_seconds": wall,
            "after": continuations(model),
        }
    )
print(json.dumps(results), file=result_stream)
