// The project's README.md: how to run it on a CPU, one GPU or several, what the data files hold, and what to
// change for more data or a bigger model.
import { ADAPTER_SUBFOLDER } from '../../lora/export';
import type { GenerativeKind } from '../../data/generative';
import type { CausalLmDataOptions } from '../../train/causal-lm-examples';
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

${runSection(spec.lora, 'the classification head', '{"eval_loss": …, "eval_accuracy": …}')}

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

/** How to run the project, what it writes and prints (both tasks' READMEs). */
function runSection(
  lora: ProjectLora | undefined,
  alsoTrains: string | undefined,
  finalLine: string,
): string {
  return `## Run it

\`\`\`sh
pip install -r requirements.txt
accelerate launch --config_file accelerate_config.yaml train.py   # one GPU
accelerate launch --cpu train.py                                    # or the CPU; python train.py works too
\`\`\`

${lora ? `${loraParagraph(lora, alsoTrains)}\n\n` : ''}For several GPUs or machines, follow the comments in \`accelerate_config.yaml\` (\`accelerate config\` asks the
same questions interactively). The per-device batch size stays as it was, so with N GPUs each step sees N times
the rows: lower \`per_device_train_batch_size\` or raise the learning rate to match.

The fine-tuned model goes to \`output/\` (\`--output_dir\` changes it): ${outputWords(lora)}, a model
card, \`training_args.json\` and \`metrics.json\`. WebTune's Model step loads that folder. The last line the script prints is the final evaluation as one JSON object
(\`${finalLine}\`).`;
}

function loraParagraph(lora: ProjectLora, alsoTrains: string | undefined): string {
  const trained = alsoTrains ? `adapters and ${alsoTrains} train` : 'adapters train';
  if (lora.adapter)
    return `The run trained LoRA adapters with PEFT, continuing the adapter ${lora.adapter} (\`--adapter_name_or_path\`
changes it): only the ${trained}.`;
  const c = lora.config;
  const targets = Array.isArray(c.target_modules) ? c.target_modules.join(', ') : c.target_modules;
  return `The run trained LoRA adapters with PEFT (r ${c.r}, lora_alpha ${c.lora_alpha} on ${targets}): only the
${trained}, so it needs far less memory than training the whole model.`;
}

function outputWords(lora: ProjectLora | undefined): string {
  const plain = 'the Hugging Face folder (`config.json`, `model.safetensors`, the tokenizer)';
  if (!lora || lora.export === 'merged') return plain;
  const adapter = "PEFT's adapter folder (`adapter_config.json`, `adapter_model.safetensors`, the tokenizer)";
  if (lora.export === 'adapter') return adapter;
  return `${plain} with the adapters merged in, and in \`output/${ADAPTER_SUBFOLDER}/\` ${adapter}`;
}

export interface CausalLmReadmeSpec {
  runName: string;
  baseModel: string;
  baseModelIsHubId: boolean;
  kind: GenerativeKind;
  options: CausalLmDataOptions;
  trainRows: number;
  validationRows: number;
  includeData: boolean;
  generationMetrics: boolean;
  lora?: ProjectLora;
}

const GENERATIVE_ROWS: Record<GenerativeKind, { row: string; words: string }> = {
  text: { row: '{"text": "a text to learn from"}', words: 'Plain text: one `text` per row.' },
  instruction: {
    row: '{"prompt": "the instruction", "completion": " the answer"}',
    words:
      "Instruction data: the `prompt` and the `completion` that follows it (an Alpaca row's instruction and input are already joined into the prompt, with a blank line between them).",
  },
  chat: {
    row: '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}',
    words:
      'Chat: a list of `messages` (role system, user or assistant, and content), rendered with the chat template.',
  },
};

/** The README of a causal-LM run's project. */
export function causalLmProjectReadme(spec: CausalLmReadmeSpec): string {
  const o = spec.options;
  const { row, words } = GENERATIVE_ROWS[spec.kind];
  const data = spec.includeData
    ? `\`data/\` holds the rows WebTune's run trained on, after cleaning and the split: ${spec.trainRows} in
\`data/train.jsonl\`${spec.validationRows > 0 ? ` and ${spec.validationRows} in \`data/validation.jsonl\`` : ''}.`
    : `This project was exported without its data. Put the rows in \`data/train.jsonl\`${spec.validationRows > 0 ? ' and `data/validation.jsonl`' : ''}.`;
  const masking =
    spec.kind === 'instruction' && o.completion_only_loss
      ? ' Only the completion’s tokens carry loss (completion_only_loss).'
      : spec.kind === 'chat' && o.assistant_only_loss
        ? ' Only the assistant turns carry loss (assistant_only_loss).'
        : '';
  const final = spec.generationMetrics
    ? '{"eval_loss": …, "perplexity": …, "eval_bleu": …, "eval_rougeL": …}'
    : '{"eval_loss": …, "perplexity": …}';
  return `# Training project: ${spec.runName}

WebTune exported this run as a Hugging Face Trainer project: \`train.py\` fine-tunes ${spec.baseModel} as a causal
language model with the same recipe, tokenisation and loss masking as the browser did, so it can run on a GPU,
several GPUs or several machines.

${runSection(spec.lora, undefined, final)}

## The data

${data} One JSON object per line:

\`\`\`json
${row}
\`\`\`

${words} \`lm_examples.py\` makes the rows into the examples WebTune trained on: every row ends in the model's
end-of-text token, ${o.packing ? `all rows are joined and cut into blocks of ${o.block_size} tokens (the incomplete last block is dropped), the validation rows the same way` : `each row is one example of at most ${o.block_size} tokens, right-padded in a batch`}.${masking}

## Going bigger

- More data: replace the JSONL files with yours in the same form (or pass \`--data_dir\`). For millions of rows,
  raise \`per_device_train_batch_size\` and set \`eval_steps\` rather than evaluating every epoch${o.packing ? "; packing a split in one batch holds all its tokens in memory, so give `pack`'s map a `batch_size` (run_clm uses 1000)" : ''}.
- A bigger model: \`--model_name_or_path\` takes any Hub id or folder of a causal LM${spec.baseModelIsHubId ? '' : ` (this run's base model came from ${spec.baseModel}, not the Hub: point it at that folder)`}.
  \`BLOCK_SIZE\` in \`lm_examples.py\` can grow to the model's context length. The learning rate that suits a small
  model is usually too high for a large one.
`;
}
