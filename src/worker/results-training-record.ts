// Helpers for the training session to hand its results over (see results-state.ts): the dataset summary from
// the prepared dataset and the hyper-parameters under transformers' names (the final evaluation comes from
// core/export/final-evaluation). Plain data only.
import type { CleaningReport } from '../core/data/prepare';
import type { DataIssue, DatasetSummary, TrainingHyperparameters } from '../core/export/types';
import { trainingArgumentsRecord } from '../core/export/training-files';
import type { TrainingArguments } from '../core/train/arguments';

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

/** training_args.json of a classifier trained here: the same record the CLI writes (core/export/training-files). */
export function hyperparameters(args: TrainingArguments, maxLength: number): TrainingHyperparameters {
  return trainingArgumentsRecord(args, { task: 'sequence-classification', maxLength });
}
