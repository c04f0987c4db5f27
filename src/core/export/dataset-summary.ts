// What a classifier's model card and metrics say about its data (the export's DatasetSummary), made from the
// prepared dataset's cleaning report and split: one summary for the app's runs and the CLI's, so the same data
// gets the same card wherever it was trained. Plain data only.
import type { CleaningReport } from '../data/prepare';
import type { DataIssue, DatasetSummary } from './types';

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
