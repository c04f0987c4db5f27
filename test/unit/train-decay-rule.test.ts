// Which weights AdamW decays: WebTune's rule (decaysWeight) against transformers' own
// Trainer.get_decay_parameter_names on the decoder fixtures (GPT-2's ln_*, Llama's and Qwen2's *_layernorm and
// final norm) and a BERT classifier, over every parameter name the model has.
import { describe, expect, it } from 'vitest';

import { decaysWeight } from '../../src/core/train/adamw';
import { runPythonStack } from '../support/python';
import { sharedModelDir } from '../support/shared';

const MODELS = [
  ['webtune/tiny-random-gpt2', 'AutoModelForCausalLM'],
  ['webtune/tiny-random-llama', 'AutoModelForCausalLM'],
  ['webtune/tiny-random-qwen2', 'AutoModelForCausalLM'],
  ['webtune/tiny-random-bert-cls', 'AutoModelForSequenceClassification'],
] as const;

const PYTHON = `
import json, sys
import transformers
from transformers import Trainer
d = json.load(sys.stdin)
out = []
for path, cls in d["models"]:
    m = getattr(transformers, cls).from_pretrained(path)
    decay = set(Trainer.get_decay_parameter_names(None, m))
    out.append({n: n in decay for n, _ in m.named_parameters()})
print(json.dumps(out))
`;

describe('weight decay rule', () => {
  it('decays exactly the weights transformers’ Trainer decays', () => {
    const reference = runPythonStack<Record<string, boolean>[]>(PYTHON, {
      models: MODELS.map(([id, cls]) => [sharedModelDir(id), cls]),
    });
    reference.forEach((names, i) => {
      const ours = Object.fromEntries(Object.keys(names).map((n) => [n, decaysWeight(n)]));
      expect(ours, MODELS[i]![0]).toEqual(names);
      // Both kinds occur in every model, so the comparison can fail either way.
      expect(new Set(Object.values(names)).size).toBe(2);
    });
  });
});
