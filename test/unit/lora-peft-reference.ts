// PEFT itself, run once per test file: five adapter-only AdamW steps on the GPT-2 fixture's batch with dropout
// off (the fixture recorded its steps with GPT-2's dropout on; see lora-fixtures.test.ts).
import { join } from 'node:path';

import { runPythonStack } from '../support/python';
import { sharedModelDir } from '../support/shared';

let cached: number[] | undefined;

export function peftGpt2EvalSteps(): number[] {
  cached ??= runPythonStack<number[]>(
    `
import json, sys, torch
from transformers import AutoModelForCausalLM
from peft import PeftModel
d = json.load(sys.stdin)["dir"]
r = json.load(open(d + "/reference.json"))
ids = torch.tensor(r["input_ids"]); mask = torch.tensor(r["attention_mask"])
labels = ids.masked_fill(mask == 0, -100)
model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(d), d + "/lora-init", is_trainable=True)
model.eval()
params = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01, eps=1e-8)
out = []
for _ in range(5):
    loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
    out.append(loss.item()); opt.zero_grad(); loss.backward(); opt.step()
print(json.dumps(out))
`,
    { dir: join(sharedModelDir('webtune/tiny-random-gpt2')) },
  );
  return cached;
}
