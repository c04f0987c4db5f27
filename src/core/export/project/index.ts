// "Download as a training project": a small folder that trains the same run with the Hugging Face Trainer and
// accelerate, on one GPU or a cluster, on exactly the rows the browser trained on. Plain data in, files out (no
// tfjs): the app zips the files, the CLI writes them to a folder.
import type { GenerativeKind, GenerativeRecord } from '../../data/generative';
import type { Example } from '../../data/prepare';
import type { HFConfig } from '../../models/types';
import type { ExportEntry } from '../listing';
import type { TrainingArguments } from '../../train/arguments';
import type { CausalLmDataOptions } from '../../train/causal-lm-examples';
import { accelerateConfig } from './accelerate-config';
import {
  causalLmExamplesModule,
  causalLmTrainScript,
  generationMetricsModule,
  reportsGenerationMetrics,
  type CausalLmScriptSpec,
} from './causal-lm-script';
import { classificationScript } from './classification-script';
import type { ProjectLora } from './lora';
import { modelCardScript } from './model-card-script';
import { causalLmProjectReadme, projectReadme } from './readme';
import { BASE_PACKAGES, requirementsTxt } from './requirements';

/** A classification run (sequence classification, fully or with LoRA). */
export interface ProjectInputs {
  task?: 'sequence-classification';
  runName: string;
  baseModel: { hubId?: string; revision?: string; displayName?: string; config: HFConfig };
  /** The labels in training order: label i is logit i. */
  labels: readonly string[];
  pairs: boolean;
  maxLength: number;
  args: TrainingArguments;
  train: readonly Example[];
  validation: readonly Example[];
  /** false: data/ is left out and README.md describes the rows the script expects. */
  includeData: boolean;
  /** A LoRA run's adapters (required when args.mode is "lora"). */
  lora?: ProjectLora;
}

/**
 * What a causal-LM run's project needs besides the common fields: its generative rows after cleaning and the
 * split, and how WebTune made them into examples. A stored run keeps it as is (RunRecord.causalLmProject).
 */
export interface CausalLmRunDescription {
  kind: GenerativeKind;
  train: readonly GenerativeRecord[];
  validation: readonly GenerativeRecord[];
  /** The resolved data options (block size, packing, loss masking). */
  options: CausalLmDataOptions;
  /** The id WebTune appended to each row, and every id generation stops at. */
  eosTokenId: number;
  eosTokenIds: readonly number[];
  padTokenId: number;
  /** The model's positions. */
  contextLength: number;
  /** The model had no chat template and the run rendered its conversations with ChatML. */
  chatTemplateAdded: boolean;
  /** A LoRA run's adapters (required when args.mode is "lora"). */
  lora?: ProjectLora;
}

/** A causal-LM run. */
export interface CausalLmProjectInputs extends CausalLmRunDescription {
  task: 'causal-lm';
  runName: string;
  baseModel: ProjectInputs['baseModel'];
  args: TrainingArguments;
  includeData: boolean;
}

/** What a run must say to be written as a project; the task picks the scripts. */
export type ProjectRun = ProjectInputs | CausalLmProjectInputs;

export type ProjectFiles = Map<string, Uint8Array>;

export function buildTrainingProject(run: ProjectRun): ProjectFiles {
  checkLora(run);
  return run.task === 'causal-lm' ? causalLmProject(run) : classificationProject(run);
}

/** Without its adapters' settings the script would train the whole model: refuse rather than do something else. */
function checkLora(run: ProjectRun): void {
  if ((run.args.mode === 'lora') !== (run.lora !== undefined))
    throw new Error(
      run.lora
        ? `LoRA settings were given for a run of mode "${run.args.mode}"`
        : 'A LoRA run needs its LoRA settings (rank, alpha, targets) to be written as a Trainer project',
    );
}

function baseModelName(run: ProjectRun): string {
  return run.baseModel.hubId ?? run.baseModel.displayName ?? 'path/to/base-model';
}

/** The revision the script asks for: a Hub model's, unless it is the default branch. */
function baseRevision(run: ProjectRun): string | undefined {
  return run.baseModel.hubId && run.baseModel.revision !== 'main' ? run.baseModel.revision : undefined;
}

function encodeFiles(files: Map<string, string>): ProjectFiles {
  const encoder = new TextEncoder();
  return new Map([...files].map(([name, text]) => [name, encoder.encode(text)]));
}

function causalLmProject(run: CausalLmProjectInputs): ProjectFiles {
  const baseModel = baseModelName(run);
  const hasValidation = run.validation.length > 0;
  const spec: CausalLmScriptSpec = {
    baseModel,
    revision: baseRevision(run),
    kind: run.kind,
    options: run.options,
    eosTokenId: run.eosTokenId,
    eosTokenIds: run.eosTokenIds,
    padTokenId: run.padTokenId,
    contextLength: run.contextLength,
    chatTemplateAdded: run.chatTemplateAdded,
    modelClass: run.baseModel.config.architectures?.[0] ?? 'AutoModelForCausalLM',
    args: run.args,
    hasValidation,
    lora: run.lora,
  };
  const metrics = reportsGenerationMetrics(spec);
  const packages = [...BASE_PACKAGES, ...(run.lora ? ['peft'] : []), ...(metrics ? ['sacrebleu'] : [])];
  const files = new Map<string, string>([
    ['train.py', causalLmTrainScript(spec)],
    ['lm_examples.py', causalLmExamplesModule(spec)],
    ...(metrics ? [['generation_metrics.py', generationMetricsModule(spec)] as [string, string]] : []),
    [
      'model_card.py',
      modelCardScript({
        baseModel,
        runName: run.runName,
        pipelineTag: 'text-generation',
        adapterCard: run.lora !== undefined && run.lora.export !== 'merged',
      }),
    ],
    ['requirements.txt', requirementsTxt(packages)],
    ['accelerate_config.yaml', accelerateConfig()],
    [
      'README.md',
      causalLmProjectReadme({
        runName: run.runName,
        baseModel,
        baseModelIsHubId: run.baseModel.hubId !== undefined,
        kind: run.kind,
        options: run.options,
        trainRows: run.train.length,
        validationRows: run.validation.length,
        includeData: run.includeData,
        generationMetrics: metrics,
        lora: run.lora,
      }),
    ],
  ]);
  if (run.includeData) {
    files.set('data/train.jsonl', generativeJsonl(run.train));
    if (hasValidation) files.set('data/validation.jsonl', generativeJsonl(run.validation));
  }
  return encodeFiles(files);
}

/** One JSON object per row in TRL's forms: {text}, {prompt, completion} or {messages}. */
function generativeJsonl(rows: readonly GenerativeRecord[]): string {
  return rows
    .map((r) => {
      const row =
        r.kind === 'text'
          ? { text: r.text }
          : r.kind === 'instruction'
            ? { prompt: r.prompt, completion: r.completion }
            : { messages: r.messages };
      return `${JSON.stringify(row)}\n`;
    })
    .join('');
}

function classificationProject(inputs: ProjectInputs): ProjectFiles {
  const baseModel = baseModelName(inputs);
  const hasValidation = inputs.validation.length > 0;
  const files = new Map<string, string>([
    [
      'train.py',
      classificationScript({
        baseModel,
        revision: baseRevision(inputs),
        labels: inputs.labels,
        pairs: inputs.pairs,
        maxLength: inputs.maxLength,
        args: inputs.args,
        replacesHead: replacesHead(inputs.baseModel.config, inputs.labels.length),
        hasValidation,
        lora: inputs.lora,
      }),
    ],
    [
      'model_card.py',
      modelCardScript({
        baseModel,
        runName: inputs.runName,
        pipelineTag: 'text-classification',
        adapterCard: inputs.lora !== undefined && inputs.lora.export !== 'merged',
      }),
    ],
    ['requirements.txt', requirementsTxt(inputs.lora ? [...BASE_PACKAGES, 'peft'] : BASE_PACKAGES)],
    ['accelerate_config.yaml', accelerateConfig()],
    [
      'README.md',
      projectReadme({
        runName: inputs.runName,
        baseModel,
        baseModelIsHubId: inputs.baseModel.hubId !== undefined,
        labels: inputs.labels,
        pairs: inputs.pairs,
        trainRows: inputs.train.length,
        validationRows: inputs.validation.length,
        includeData: inputs.includeData,
        lora: inputs.lora,
      }),
    ],
  ]);
  if (inputs.includeData) {
    files.set('data/train.jsonl', jsonl(inputs.train, inputs.labels, inputs.pairs));
    if (hasValidation)
      files.set('data/validation.jsonl', jsonl(inputs.validation, inputs.labels, inputs.pairs));
  }
  return encodeFiles(files);
}

/** One JSON object per row: the text (and its pair) and the label by name, as the script reads them. */
function jsonl(rows: readonly Example[], labels: readonly string[], pairs: boolean): string {
  return rows
    .map((row) => {
      const label = labels[row.label];
      if (label === undefined)
        throw new Error(`A row has label index ${row.label}, past the ${labels.length} labels`);
      return `${JSON.stringify(pairs ? { text: row.text, text_pair: row.text2 ?? '', label } : { text: row.text, label })}\n`;
    })
    .join('');
}

/** A classifier checkpoint with another number of labels: from_pretrained must be told to replace its head. */
function replacesHead(config: HFConfig, numLabels: number): boolean {
  const isClassifier = config.architectures?.some((a) => a.endsWith('ForSequenceClassification')) ?? false;
  if (!isClassifier) return false;
  const baseLabels = config.id2label ? Object.keys(config.id2label).length : (config.num_labels ?? 2);
  return baseLabels !== numLabels;
}

const PURPOSES: [RegExp, string][] = [
  [/^train\.py$/, "the training script: the Hugging Face Trainer with this run's recipe"],
  [
    /^lm_examples\.py$/,
    'the rows made into the examples WebTune trained on (tokens, EOS, loss masking, packing)',
  ],
  [/^generation_metrics\.py$/, 'BLEU and ROUGE-L of greedy completions of the validation prompts'],
  [/^model_card\.py$/, 'writes the model card, training_args.json and metrics.json beside the trained model'],
  [/^data\/train\.jsonl$/, "the run's training rows, after cleaning and the split"],
  [/^data\/validation\.jsonl$/, "the run's validation rows"],
  [/^requirements\.txt$/, 'the Python packages, pinned'],
  [/^accelerate_config\.yaml$/, 'accelerate for one GPU, with the multi-GPU and multi-node lines commented'],
  [/^README\.md$/, 'how to run it on a CPU, one GPU or several, and what to change for more'],
];

/** The project's files with sizes and what each is for, as the app lists them after the download. */
export function projectListing(files: ProjectFiles): ExportEntry[] {
  return [...files].map(([name, bytes]) => ({
    name,
    bytes: bytes.byteLength,
    purpose: PURPOSES.find(([pattern]) => pattern.test(name))?.[1] ?? 'a file of the project',
  }));
}
