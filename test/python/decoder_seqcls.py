# The reference for a decoder as a sequence classifier (test/unit/decoder-classifier.test.ts): transformers'
# AutoModelForSequenceClassification (GPT2ForSequenceClassification, LlamaForSequenceClassification,
# Qwen2ForSequenceClassification) loaded from a causal-LM fixture folder, with the `score` weights WebTune
# initialised (torch's RNG cannot give the same ones), dropout off. JSON in on stdin, JSON out on stdout:
#   in:  {"folder", "pad_token_id", "score": [[...]] (num_labels x hidden), "input_ids": [[...]],
#         "attention_mask": [[...]], "train": {"input_ids", "attention_mask", "labels", "steps", "lr",
#         "weight_decay", "eps"}}
#   out: {"architecture", "logits": [[...]], "losses": [...] (the loss before each AdamW step)}
import json
import sys

import torch
from transformers import AutoConfig, AutoModelForSequenceClassification

job = json.load(sys.stdin)
torch.manual_seed(0)
score = torch.tensor(job["score"], dtype=torch.float32)
config = AutoConfig.from_pretrained(job["folder"])
config.num_labels = score.shape[0]
config.pad_token_id = job["pad_token_id"]
for name in ("embd_pdrop", "resid_pdrop", "attn_pdrop", "attention_dropout"):
    if hasattr(config, name):
        setattr(config, name, 0.0)
model = AutoModelForSequenceClassification.from_pretrained(job["folder"], config=config, dtype=torch.float32)
with torch.no_grad():
    model.score.weight.copy_(score)
model.eval()
out = {"architecture": type(model).__name__}
with torch.no_grad():
    logits = model(
        input_ids=torch.tensor(job["input_ids"]), attention_mask=torch.tensor(job["attention_mask"])
    ).logits
out["logits"] = logits.tolist()

train = job["train"]
optimizer = torch.optim.AdamW(
    model.parameters(), lr=train["lr"], weight_decay=train["weight_decay"], eps=train["eps"]
)
ids = torch.tensor(train["input_ids"])
mask = torch.tensor(train["attention_mask"])
labels = torch.tensor(train["labels"])
losses = []
for _ in range(train["steps"]):
    loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
    losses.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
out["losses"] = losses
print(json.dumps(out))
