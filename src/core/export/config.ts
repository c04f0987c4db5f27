// The exported config.json: the base model's config turned into the *ForSequenceClassification config that
// transformers' `save_pretrained` writes for the fine-tuned labels.
import { classificationHead } from '../models/registry';
import type { Architecture, HFConfig } from '../models/types';

/** The transformers release whose config and weight layout the export follows. */
export const TRANSFORMERS_LAYOUT_VERSION = '4.46.0';

/** The *ForSequenceClassification class an exported config names, from the architecture's descriptor. */
export function sequenceClassificationClass(architecture: Architecture): string {
  return classificationHead(architecture).className;
}

export class ExportConfigError extends Error {}

/** Checks that labels can name the classes of a single-label classifier: at least two, distinct, non-empty. */
export function checkLabels(labels: readonly string[]): void {
  if (labels.length < 2) {
    throw new ExportConfigError(
      `a classifier needs at least two labels, got ${labels.length}${labels.length ? ` (${labels[0]})` : ''}`,
    );
  }
  const seen = new Set<string>();
  labels.forEach((label, i) => {
    if (typeof label !== 'string' || label.trim() === '') {
      throw new ExportConfigError(`label ${i} is empty`);
    }
    if (seen.has(label)) throw new ExportConfigError(`label "${label}" appears twice in the label list`);
    seen.add(label);
  });
}

export interface ClassifierConfigOptions {
  architecture: Architecture;
  labels: readonly string[];
  /** Recorded as `_name_or_path`, as transformers does for a model loaded from the Hub. */
  baseModelId?: string;
}

export function buildClassifierConfig(base: HFConfig, options: ClassifierConfigOptions): HFConfig {
  const { architecture, labels } = options;
  if (base.model_type !== architecture) {
    throw new ExportConfigError(
      `the base config has model_type "${base.model_type}" but the model was built as ${architecture}`,
    );
  }
  checkLabels(labels);
  const config: HFConfig = { ...base };
  // A base model's own head settings (an MLM's, or a previous classifier's) do not describe the new head.
  for (const stale of ['id2label', 'label2id', 'num_labels', 'problem_type', 'finetuning_task']) {
    delete config[stale];
  }
  return {
    ...config,
    ...(options.baseModelId ? { _name_or_path: options.baseModelId } : {}),
    architectures: [sequenceClassificationClass(architecture)],
    id2label: Object.fromEntries(labels.map((label, i) => [String(i), label])),
    label2id: Object.fromEntries(labels.map((label, i) => [label, i])),
    // transformers derives num_labels from id2label; written too for readers that look for it.
    num_labels: labels.length,
    problem_type: 'single_label_classification',
    torch_dtype: 'float32',
    transformers_version: TRANSFORMERS_LAYOUT_VERSION,
  };
}

/** JSON the way transformers writes config.json: keys sorted, two-space indent, a final newline. */
export function configJson(config: HFConfig): string {
  return `${JSON.stringify(sortKeys(config), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
