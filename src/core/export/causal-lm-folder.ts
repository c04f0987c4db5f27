// The export of a fine-tuned causal LM: the folder AutoModelForCausalLM and AutoTokenizer load unchanged —
// config.json (the *ForCausalLM class), generation_config.json, model.safetensors (save_pretrained's names; a
// tied lm_head left out as save_pretrained leaves it), the tokenizer files with the chat template, a model card
// for text generation, training_args.json and metrics.json.
import { exportedBackend } from '../backend-info';
import { decoderDescriptor } from '../models/registry';
import type { HFConfig } from '../models/types';
import { causalLmTask } from '../tasks/causal-lm';
import type { ExportFiles } from './bundle';
import { configJson, TRANSFORMERS_LAYOUT_VERSION } from './config';
import { fixed4, mdCode, mdTable, mdText } from './markdown';
import { evaluationHistory } from './model-card';
import { PT_METADATA, streamSafetensors } from './safetensors-writer';
import type { StreamedFiles } from './streamed-file';
import { tokenizerFiles } from './tokenizer-files';
import { jsonFile, trainingArgs } from './training-files';
import type { BaseModelInfo, LogHistoryEntry, RunInfo, TrainingHyperparameters } from './types';
import type { TensorMap } from '../hub/tensors';
import { toYaml } from './yaml';

/** One validation prompt, what it should be answered with, and what the fine-tuned model wrote. */
export interface GenerationSample {
  prompt: string;
  reference: string;
  generated: string;
}

/** The evaluation of the exported weights on the validation split. */
export interface CausalLmFinalEvaluation {
  step: number;
  epoch: number;
  eval_loss: number;
  perplexity: number;
  /** Instruction and chat data: corpus BLEU (sacrebleu, 0–100) and mean ROUGE-L (0–1) of greedy generations. */
  eval_bleu?: number;
  eval_rougeL?: number;
  samples?: GenerationSample[];
}

export interface CausalLmDataSummary {
  fileName: string;
  kind: 'text' | 'instruction' | 'chat';
  rowsRead: number;
  trainRows: number;
  validationRows: number;
  /** What the rows became: packed blocks or padded rows. */
  trainExamples: number;
  validationExamples: number;
  split:
    | { kind: 'random'; validationFraction: number; seed: number }
    | { kind: 'file'; validationFileName: string };
  /** Cleaning: what was found and dropped (empty texts, duplicates, malformed conversations, too long). */
  issues: { kind: string; rows: number; action: string; detail?: string }[];
  /** The model had no chat template and got ChatML. */
  chatTemplateAdded?: boolean;
}

export interface CausalLmExportInputs {
  modelName: string;
  baseModel: BaseModelInfo;
  /** The base model's generation_config.json, if it has one (copied; else one is made from config.json). */
  generationConfig?: Record<string, unknown>;
  weights: TensorMap;
  dataset: CausalLmDataSummary;
  hyperparameters: TrainingHyperparameters;
  logHistory: LogHistoryEntry[];
  finalEvaluation: CausalLmFinalEvaluation;
  run: RunInfo;
}

/** config.json: the base config under the architecture's *ForCausalLM class. */
export function causalLmConfig(base: HFConfig, baseModelId?: string): HFConfig {
  const descriptor = decoderDescriptor(base.model_type as never);
  const config: HFConfig = { ...base };
  for (const stale of ['id2label', 'label2id', 'num_labels', 'problem_type', 'finetuning_task'])
    delete config[stale];
  return {
    ...config,
    ...(baseModelId ? { _name_or_path: baseModelId } : {}),
    architectures: [descriptor.tasks['causal-lm'].className],
    torch_dtype: 'float32',
    transformers_version: (base.transformers_version as string | undefined) ?? TRANSFORMERS_LAYOUT_VERSION,
  };
}

/** The base's generation_config.json, or transformers' from_model_config one (bos / eos / pad ids). */
export function causalLmGenerationConfig(
  base: HFConfig,
  given?: Record<string, unknown>,
): Record<string, unknown> {
  if (given) return given;
  const pick = (k: string) => (base[k] === undefined || base[k] === null ? {} : { [k]: base[k] });
  return {
    _from_model_config: true,
    ...pick('bos_token_id'),
    ...pick('eos_token_id'),
    ...pick('pad_token_id'),
    transformers_version: (base.transformers_version as string | undefined) ?? TRANSFORMERS_LAYOUT_VERSION,
  };
}

/** The metrics.json of a causal-LM run: the final figures at the top (run_clm's names), then log_history. */
export function causalLmMetrics(inputs: CausalLmExportInputs): Record<string, unknown> {
  const ev = inputs.finalEvaluation;
  const last = inputs.logHistory.at(-1);
  return {
    eval_loss: ev.eval_loss,
    perplexity: ev.perplexity,
    ...(ev.eval_bleu !== undefined ? { eval_bleu: ev.eval_bleu } : {}),
    ...(ev.eval_rougeL !== undefined ? { eval_rougeL: ev.eval_rougeL } : {}),
    eval_samples: inputs.dataset.validationExamples,
    epoch: last?.epoch ?? 0,
    global_step: last?.step ?? 0,
    num_train_epochs: inputs.hyperparameters.num_train_epochs,
    train_batch_size: inputs.hyperparameters.per_device_train_batch_size,
    log_history: inputs.logHistory,
    final_evaluation: { step: ev.step, epoch: ev.epoch },
    ...(ev.samples ? { generations: ev.samples } : {}),
  };
}

/** The small files as bytes and model.safetensors streamed from the weights. */
export function buildCausalLmExportFolder(inputs: CausalLmExportInputs): {
  files: ExportFiles;
  streamed: StreamedFiles;
} {
  const { baseModel } = inputs;
  const descriptor = decoderDescriptor(baseModel.architecture);
  const dims = descriptor.parseConfig(baseModel.config, 'config.json');
  const utf8 = (text: string) => new TextEncoder().encode(text);
  const files: ExportFiles = new Map([
    ['config.json', utf8(configJson(causalLmConfig(baseModel.config, baseModel.hubId)))],
    [
      'generation_config.json',
      utf8(jsonFile(causalLmGenerationConfig(baseModel.config, inputs.generationConfig))),
    ],
  ]);
  const name = baseModel.hubId ?? baseModel.displayName ?? 'the base model';
  for (const [file, bytes] of tokenizerFiles(
    baseModel.files,
    baseModel.config,
    name,
    descriptor.maxLength(dims),
  ))
    files.set(file, bytes);
  files.set('README.md', utf8(causalLmModelCard(inputs)));
  files.set('training_args.json', utf8(jsonFile(trainingArgs(inputs))));
  files.set('metrics.json', utf8(jsonFile(causalLmMetrics(inputs))));
  return {
    files,
    streamed: new Map([['model.safetensors', streamSafetensors(inputs.weights, PT_METADATA)]]),
  };
}

const KIND_WORDS = {
  text: 'plain text (packed into blocks, as transformers’ run_clm)',
  instruction: 'instruction data (prompt and completion)',
  chat: 'chat conversations (rendered with the chat template)',
} as const;

/** The README.md: front matter for the Hub (pipeline_tag text-generation, the metrics), then the card. */
export function causalLmModelCard(inputs: CausalLmExportInputs): string {
  const { baseModel, dataset, finalEvaluation: ev, run, hyperparameters: hp } = inputs;
  const className = decoderDescriptor(baseModel.architecture).tasks['causal-lm'].className;
  const metrics = [
    { type: 'loss', value: ev.eval_loss, name: 'Validation loss' },
    { type: 'perplexity', value: ev.perplexity, name: 'Perplexity' },
    ...(ev.eval_bleu !== undefined ? [{ type: 'bleu', value: ev.eval_bleu, name: 'BLEU (sacrebleu)' }] : []),
    ...(ev.eval_rougeL !== undefined ? [{ type: 'rouge', value: ev.eval_rougeL, name: 'ROUGE-L' }] : []),
  ];
  const front = {
    library_name: 'transformers',
    ...(baseModel.hubId ? { base_model: baseModel.hubId } : {}),
    pipeline_tag: causalLmTask.pipelineTag,
    tags: ['webtune', 'text-generation', baseModel.architecture],
    'model-index': [
      {
        name: inputs.modelName,
        results: [
          {
            task: { type: 'text-generation', name: 'Text Generation' },
            dataset: { name: dataset.fileName, type: dataset.fileName, split: 'validation' },
            metrics,
          },
        ],
      },
    ],
  };
  const base = baseModel.hubId
    ? `[${mdText(baseModel.hubId)}](https://huggingface.co/${baseModel.hubId})`
    : mdText(baseModel.displayName ?? 'a local model');
  const folder = inputs.modelName.replace(/["\\\n]/g, '_');
  const split =
    dataset.split.kind === 'random'
      ? `${(dataset.split.validationFraction * 100).toFixed(1)}% of the cleaned rows held out at random (seed ${dataset.split.seed})`
      : `validation rows from ${mdCode(dataset.split.validationFileName)}`;
  const hpRows = Object.entries(hp)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [mdCode(k), typeof v === 'string' ? mdCode(v) : String(v)]);
  const usage =
    dataset.kind === 'chat'
      ? [
          'messages = [{"role": "user", "content": "Hello!"}]',
          'ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")',
          'out = model.generate(ids, max_new_tokens=64)',
          'print(tokenizer.decode(out[0][ids.shape[1]:], skip_special_tokens=True))',
        ]
      : [
          'ids = tokenizer("Once upon a time", return_tensors="pt").input_ids',
          'out = model.generate(ids, max_new_tokens=64)',
          'print(tokenizer.decode(out[0], skip_special_tokens=True))',
        ];
  const lines = [
    `---\n${toYaml(front)}---`,
    '',
    `# ${mdText(inputs.modelName)}`,
    '',
    `This model is ${base} (${className}) fine-tuned as a causal language model on ${mdCode(dataset.fileName)}, ` +
      `${KIND_WORDS[dataset.kind]}, ${run.trainedIn === 'cli' ? "with WebTune's command line (Node.js)" : 'in the browser with WebTune'} ` +
      `${mdText(run.webtuneVersion)} on the ${mdText(exportedBackend(run.backend))} backend.`,
    '',
    `On the validation split (${dataset.validationExamples} examples) the exported weights reach:`,
    '',
    `- Validation loss: ${fixed4(ev.eval_loss)}`,
    `- Perplexity: ${ev.perplexity.toFixed(2)}`,
    ...(ev.eval_bleu !== undefined ? [`- BLEU (sacrebleu, 13a): ${ev.eval_bleu.toFixed(2)}`] : []),
    ...(ev.eval_rougeL !== undefined ? [`- ROUGE-L: ${fixed4(ev.eval_rougeL)}`] : []),
    '',
    '## Usage',
    '',
    'The folder loads unchanged with `AutoModelForCausalLM` and `AutoTokenizer`:',
    '',
    '```python',
    'from transformers import AutoModelForCausalLM, AutoTokenizer',
    '',
    `tokenizer = AutoTokenizer.from_pretrained("path/to/${folder}")`,
    `model = AutoModelForCausalLM.from_pretrained("path/to/${folder}")`,
    ...usage,
    '```',
    '',
    '## Training data',
    '',
    `${dataset.rowsRead} rows read; ${dataset.trainRows} for training and ${dataset.validationRows} for validation (${split}), ` +
      `which became ${dataset.trainExamples} training and ${dataset.validationExamples} validation examples.`,
    ...(dataset.chatTemplateAdded
      ? [
          '',
          'The base model had no chat template; WebTune added ChatML as TRL’s `clone_chat_template` does: ' +
            '`<|im_start|>` and `<|im_end|>` are special tokens, `<|im_end|>` is the eos token, and the embeddings ' +
            'were resized to a multiple of 64 rows (new rows at the mean of the old ones).',
        ]
      : []),
    ...(dataset.issues.length
      ? [
          '',
          mdTable(
            ['Issue', 'Rows', 'Action'],
            dataset.issues.map((i) => [
              mdText(i.kind + (i.detail ? ` (${i.detail})` : '')),
              String(i.rows),
              i.action,
            ]),
            ['l', 'r', 'l'],
          ),
        ]
      : []),
    '',
    '## Training procedure',
    '',
    'Under the names transformers’ `TrainingArguments` and TRL’s `SFTConfig` use:',
    '',
    mdTable(['Name', 'Value'], hpRows, ['l', 'r']),
    '',
    ...(run.trainRuntimeSeconds !== undefined
      ? [`- Training time: ${run.trainRuntimeSeconds.toFixed(1)} s`, '']
      : []),
    '### Results per evaluation',
    '',
    evaluationHistory(inputs.logHistory),
    ...(ev.samples?.length
      ? [
          '',
          '## Generations on validation prompts',
          '',
          'Greedy decoding, as many new tokens as the reference has:',
          '',
          mdTable(
            ['Prompt', 'Reference', 'Generated'],
            ev.samples.slice(0, 5).map((s) => [mdText(s.prompt), mdText(s.reference), mdText(s.generated)]),
          ),
        ]
      : []),
    '',
    '## Framework versions',
    '',
    `- WebTune ${mdText(run.webtuneVersion)}`,
    `- TensorFlow.js${run.tfjsVersion ? ` ${mdText(run.tfjsVersion)}` : ''} (${mdText(exportedBackend(run.backend))} backend)`,
  ];
  return `${lines.join('\n')}\n`;
}
