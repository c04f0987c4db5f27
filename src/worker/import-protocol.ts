// The typed messages between the page and the import worker. Files go in (File objects are cheap to post);
// progress, the stored dataset's metadata and the cleaning report come back, never the rows themselves.
import type { DataErrorInfo } from '../core/data/errors';
import type { CleaningReport, DatasetConfig } from '../core/data/prepare';
import type { GenerativeAnalysis } from '../core/data/generative';
import type { ImportProgress } from '../core/storage/import-dataset';
import type { DatasetMeta } from '../core/storage/dataset-types';

export type ImportRequest =
  | { type: 'import'; requestId: number; files: File[]; skipBrokenLines?: boolean }
  | { type: 'cancel'; requestId: number; importId: number }
  | { type: 'analyze'; requestId: number; datasetId: string; config: DatasetConfig };

export type ImportEvent =
  | { type: 'progress'; requestId: number; progress: ImportProgress }
  | { type: 'imported'; requestId: number; dataset: DatasetMeta }
  | {
      type: 'analysis';
      requestId: number;
      datasetId: string;
      report: CleaningReport;
      /** With purpose 'generative': the form, cleaning report and split of generative data. */
      generative?: GenerativeAnalysis;
    }
  | { type: 'failed'; requestId: number; error: DataErrorInfo };
