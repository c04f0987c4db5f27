// model_card.py: what train.py writes beside the model it saved, so the output folder is the same kind of export
// WebTune makes (model card, training_args.json, metrics.json with the log history) and loads back into WebTune.
import { pyValue } from './python';

export interface ModelCardScriptSpec {
  baseModel: string;
  runName: string;
  pipelineTag: 'text-classification' | 'text-generation';
  /** The run exports a PEFT adapter folder too, whose card says `library_name: peft`. */
  adapterCard: boolean;
}

export function modelCardScript(spec: ModelCardScriptSpec): string {
  return `"""Writes the model card, training_args.json and metrics.json next to the saved model."""
import json
import os

BASE_MODEL = ${pyValue(spec.baseModel)}
RUN_NAME = ${pyValue(spec.runName)}
PIPELINE_TAG = ${pyValue(spec.pipelineTag)}


def write_model_card(output_dir, trainer, final${spec.adapterCard ? ', library_name="transformers"' : ''}):
    name = os.path.basename(os.path.abspath(output_dir))
    args = trainer.args
    results = "\\n".join(f"| {key} | {value:.4f} |" for key, value in final.items() if isinstance(value, float))
    recipe = "\\n".join(
        f"| {key} | {getattr(args, key)} |"
        for key in (
            "learning_rate",
            "num_train_epochs",
            "per_device_train_batch_size",
            "gradient_accumulation_steps",
            "weight_decay",
            "warmup_steps",
            "lr_scheduler_type",
            "max_grad_norm",
            "seed",
        )
    )
    card = f"""---
library_name: ${spec.adapterCard ? '{library_name}' : 'transformers'}
base_model: {BASE_MODEL}
pipeline_tag: {PIPELINE_TAG}
tags:
- webtune
- {PIPELINE_TAG}
---

# {name}

{BASE_MODEL} fine-tuned with the Hugging Face Trainer, from the training project WebTune exported for its
run "{RUN_NAME}".

## Final evaluation

| metric | value |
|---|---|
{results}

## Training hyper-parameters

| name | value |
|---|---|
{recipe}

## Use

\`\`\`python
from transformers import pipeline

pipe = pipeline("{PIPELINE_TAG}", model="{name}")
\`\`\`
"""
    with open(os.path.join(output_dir, "README.md"), "w", encoding="utf-8") as f:
        f.write(card)
    with open(os.path.join(output_dir, "training_args.json"), "w", encoding="utf-8") as f:
        f.write(args.to_json_string())
    with open(os.path.join(output_dir, "metrics.json"), "w", encoding="utf-8") as f:
        json.dump({"log_history": trainer.state.log_history, "final_evaluation": final}, f, indent=2)
`;
}
