// Helpers for the training session to hand its results over (see results-state.ts): the dataset summary from
// the prepared dataset and the hyper-parameters under transformers' names (the final evaluation comes from
// core/export/final-evaluation). Plain data only.
import type { CleaningReport } from '../core/data/prepare';
import type { DataIssue, DatasetSummary, TrainingHyperparameters } from '../core/export/types';

export interface DatasetFacts {
  fileName: string;
  textColumns: string[];
  labelColumn: string;
  labels: readonly string[];
  report: Pick<CleaningReport, 'total' | 'issues' | 'classCounts'>;
  trainRows: number;
  validationRows: number;
  split: DatasetSummary['split'];
}

export function datasetSummary(facts: DatasetFacts): DatasetSummary {
  const { classCounts } = facts.report;
  return {
    fileName: facts.fileName,
    textColumns: [...facts.textColumns],
    labelColumn: facts.labelColumn,
    rowsRead: facts.report.total,
    trainRows: facts.trainRows,
    validationRows: facts.validationRows,
    split: facts.split,
    labelCounts: facts.labels.map((label, i) => ({
      label,
      train: classCounts.train?.[i] ?? 0,
      validation: classCounts.validation?.[i] ?? 0,
    })),
    issues: facts.report.issues
      .filter((issue) => issue.count > 0)
      .map((issue): DataIssue => ({
        kind: issue.kind,
        rows: issue.count,
        action:
          issue.dropped >= issue.count
            ? 'dropped'
            : issue.dropped > 0
              ? `${issue.dropped} dropped`
              : issue.kind === 'long-texts'
                ? 'truncated'
                : 'kept',
        ...(issue.ratio !== undefined
          ? { detail: `largest / smallest class: ${issue.ratio.toFixed(1)}` }
          : {}),
      })),
  };
}

/** The scalar training arguments (transformers names) plus the truncation length as max_seq_length. */
export function hyperparameters(
  args: {
    learning_rate: number;
    num_train_epochs: number;
    per_device_train_batch_size: number;
    weight_decay: number;
    lr_scheduler_type: string;
    seed: number;
  } & Record<string, unknown>,
  maxLength: number,
): TrainingHyperparameters {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [name, value] of Object.entries(args)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      out[name] = value as string | number | boolean | null;
    }
  }
  return {
    ...out,
    learning_rate: args.learning_rate,
    num_train_epochs: args.num_train_epochs,
    per_device_train_batch_size: args.per_device_train_batch_size,
    weight_decay: args.weight_decay,
    lr_scheduler_type: args.lr_scheduler_type,
    seed: args.seed,
    max_seq_length: maxLength,
  };
}
