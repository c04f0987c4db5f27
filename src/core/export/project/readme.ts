// The project's README.md: how to run it on a CPU, one GPU or several, what the data files hold, and what to
// change for more data or a bigger model.
import { ADAPTER_SUBFOLDER } from '../../lora/export';
import type { ProjectLora } from './lora';

export interface ProjectReadmeSpec {
  runName: string;
  baseModel: string;
  baseModelIsHubId: boolean;
  labels: readonly string[];
  pairs: boolean;
  trainRows: number;
  validationRows: number;
  includeData: boolean;
  lora?: ProjectLora;
}

export function projectReadme(spec: ProjectReadmeSpec): string {
  const row = spec.pairs
    ? '{"text": "first text", "text_pair": "second text", "label": "' + (spec.labels[0] ?? 'label') + '"}'
    : '{"text": "the text", "label": "' + (spec.labels[0] ?? 'label') + '"}';
  const data = spec.includeData
    ? `\`data/\` holds the rows WebTune's run trained on, after cleaning and the split: ${spec.trainRows} in
\`data/train.jsonl\`${spec.validationRows > 0 ? ` and ${spec.validationRows} in \`data/validation.jsonl\`` : ''}.`
    : `This project was exported without its data. Put the rows in \`data/train.jsonl\`${spec.validationRows > 0 ? ' and `data/validation.jsonl`' : ''}.`;
  return `# Training project: ${spec.runName}

WebTune exported this run as a Hugging Face Trainer project: \`train.py\` fine-tunes ${spec.baseModel} with the same
recipe, label order and tokenisation as the browser did, so it can run on a GPU, several GPUs or several machines.

## Run it

\`\`\`sh
pip install -r requirements.txt
accelerate launch --config_file accelerate_config.yaml train.py   # one GPU
accelerate launch --cpu train.py                                    # or the CPU; python train.py works too
\`\`\`

${spec.lora ? `${loraParagraph(spec.lora)}\n\n` : ''}For several GPUs or machines, follow the comments in \`accelerate_config.yaml\` (\`accelerate config\` asks the
same questions interactively). The per-device batch size stays as it was, so with N GPUs each step sees N times
the rows: lower \`per_device_train_batch_size\` or raise the learning rate to match.

The fine-tuned model goes to \`output/\` (\`--output_dir\` changes it): ${outputWords(spec.lora)}, a model
card, \`training_args.json\` and \`metrics.json\`. WebTune's Model step loads that folder. The last line the script prints is the final evaluation as one JSON object
(\`{"eval_loss": …, "eval_accuracy": …}\`).

## The data

${data} One JSON object per line:

\`\`\`json
${row}
\`\`\`

Labels are written by name; \`train.py\` lists them in \`LABELS\`, in the order of the model's outputs
(${spec.labels.map((l) => `\`${l}\``).join(', ')}). A label outside that list is an error.

## Going bigger

- More data: replace the JSONL files with yours in the same form (or pass \`--data_dir\`). For millions of rows,
  raise \`per_device_train_batch_size\` and set \`eval_steps\` rather than evaluating every epoch.
- A bigger model: \`--model_name_or_path\` takes any Hub id or folder of the same kind of model${spec.baseModelIsHubId ? '' : ` (this run's base model came from ${spec.baseModel}, not the Hub: point it at that folder)`}.
  The learning rate that suits a small model is usually too high for a large one.
`;
}

function loraParagraph(lora: ProjectLora): string {
  if (lora.adapter)
    return `The run trained LoRA adapters with PEFT, continuing the adapter ${lora.adapter} (\`--adapter_name_or_path\`
changes it): only the adapters and the classification head train.`;
  const c = lora.config;
  const targets = Array.isArray(c.target_modules) ? c.target_modules.join(', ') : c.target_modules;
  return `The run trained LoRA adapters with PEFT (r ${c.r}, lora_alpha ${c.lora_alpha} on ${targets}): only the
adapters and the classification head train, so it needs far less memory than training the whole model.`;
}

function outputWords(lora: ProjectLora | undefined): string {
  const plain = 'the Hugging Face folder (`config.json`, `model.safetensors`, the tokenizer)';
  if (!lora || lora.export === 'merged') return plain;
  const adapter = "PEFT's adapter folder (`adapter_config.json`, `adapter_model.safetensors`, the tokenizer)";
  if (lora.export === 'adapter') return adapter;
  return `${plain} with the adapters merged in, and in \`output/${ADAPTER_SUBFOLDER}/\` ${adapter}`;
}
