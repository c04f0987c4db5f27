// The default name of a new run: what tells it apart from the runs before it. The model (its name without the
// organisation), the dataset, the settings that differ from the latest earlier run of the same model on the same
// dataset (at most two, under their transformers names), and the time it started, in the person's locale.
import type { TrainingArguments } from '../train/arguments';
import type { RunRecord } from './run-types';

/** The settings a name may mention, in the order people reach for them. */
const NAMED: readonly (keyof TrainingArguments)[] = [
  'mode',
  'learning_rate',
  'num_train_epochs',
  'per_device_train_batch_size',
  'gradient_accumulation_steps',
  'lr_scheduler_type',
  'warmup_ratio',
  'weight_decay',
  'label_smoothing_factor',
  'seed',
];

export interface NewRun {
  modelName: string;
  datasetId: string;
  datasetName: string;
  args: TrainingArguments;
  maxLength: number;
  createdAt: number;
}

/**
 * "tiny-bert · reviews.csv · learning_rate 1e-4 · 14:05". `earlier` are the stored runs (any order); `locale` is
 * the page's (undefined: the environment's own).
 */
export function defaultRunName(run: NewRun, earlier: readonly RunRecord[], locale?: string): string {
  const model = run.modelName.split('/').pop() ?? run.modelName;
  const previous = earlier
    .filter((r) => r.modelName === run.modelName && r.datasetId === run.datasetId)
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  const differs: string[] = [];
  if (previous) {
    for (const key of NAMED) {
      const now = run.args[key];
      if (now !== undefined && now !== previous.args[key]) differs.push(`${key} ${String(now)}`);
    }
    if (run.maxLength !== previous.maxLength) differs.push(`max_length ${run.maxLength}`);
  } else if (run.args.mode !== 'full') differs.push(`mode ${run.args.mode}`);
  const time = new Date(run.createdAt).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  return [model, run.datasetName, ...differs.slice(0, 2), time].join(' · ');
}
