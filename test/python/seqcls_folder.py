# Loads an exported sequence-classifier folder with the real transformers, as a user would
# (AutoModelForSequenceClassification + AutoTokenizer, nothing changed), and classifies texts as one padded batch.
# JSON in on stdin: {"folders": [...], "texts": [...]}; out: {folder: {"architecture", "pad_token_id",
# "tokenizer_pad_token_id", "input_ids", "logits", "loading_warnings"}}.
import json
import sys

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

job = json.load(sys.stdin)
out = {}
for folder in job["folders"]:
    model, info = AutoModelForSequenceClassification.from_pretrained(
        folder, dtype=torch.float32, output_loading_info=True
    )
    model.eval()
    tok = AutoTokenizer.from_pretrained(folder)
    batch = tok(job["texts"], padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask).logits
    out[folder] = {
        "architecture": type(model).__name__,
        "pad_token_id": model.config.pad_token_id,
        "tokenizer_pad_token_id": tok.pad_token_id,
        "input_ids": batch.input_ids.tolist(),
        "logits": logits.tolist(),
        "loading_warnings": {k: [str(x) for x in v] for k, v in info.items() if v},
    }
print(json.dumps(out))
