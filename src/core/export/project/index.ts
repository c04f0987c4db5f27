// "Download as a training project": a small folder that trains the same run with the Hugging Face Trainer and
// accelerate, on one GPU or a cluster, on exactly the rows the browser trained on. Plain data in, files out (no
// tfjs): the app zips the files, the CLI writes them to a folder.
import type { Example } from '../../data/prepare';
import type { HFConfig } from '../../models/types';
import type { ExportEntry } from '../listing';
import type { TrainingArguments } from '../../train/arguments';
import { accelerateConfig } from './accelerate-config';
import { classificationScript } from './classification-script';
import type { ProjectLora } from './lora';
import { modelCardScript } from './model-card-script';
import { projectReadme } from './readme';
import { BASE_PACKAGES, requirementsTxt } from './requirements';

export interface ProjectInputs {
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

export type ProjectFiles = Map<string, Uint8Array>;

export function buildTrainingProject(inputs: ProjectInputs): ProjectFiles {
  // Without its adapters' settings the script would train the whole model: refuse rather than do something else.
  if ((inputs.args.mode === 'lora') !== (inputs.lora !== undefined))
    throw new Error(
      inputs.lora
        ? `LoRA settings were given for a run of mode "${inputs.args.mode}"`
        : 'A LoRA run needs its LoRA settings (rank, alpha, targets) to be written as a Trainer project',
    );
  const baseModel = inputs.baseModel.hubId ?? inputs.baseModel.displayName ?? 'path/to/base-model';
  const hasValidation = inputs.validation.length > 0;
  const files = new Map<string, string>([
    [
      'train.py',
      classificationScript({
        baseModel,
        revision:
          inputs.baseModel.hubId && inputs.baseModel.revision !== 'main'
            ? inputs.baseModel.revision
            : undefined,
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
  const encoder = new TextEncoder();
  return new Map([...files].map(([name, text]) => [name, encoder.encode(text)]));
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
