// What a stored dataset looks like: one record of metadata and its rows in chunks, per source file ("part").
import type { FileFormat } from '../data/format';
import type { ColumnMapping } from '../data/guess';
import type { DatasetConfig, FileRole } from '../data/prepare';

export interface DatasetPart {
  file: string;
  role: FileRole;
  format: FileFormat;
  bytes: number;
  columns: string[];
  rowCount: number;
  chunks: number;
  /**
   * TXT read by lines: how many chunks of the file's whole text datasetTexts holds (one document per file).
   * Absent for every other format, and for TXT files imported before the text was kept.
   */
  textChunks?: number;
}

export interface DatasetMeta {
  id: string;
  /** The file name(s) it was imported from: what the list shows. */
  name: string;
  /** 'staging' while an import writes it; only 'ready' datasets are listed. */
  status: 'staging' | 'ready';
  createdAt: number;
  parts: DatasetPart[];
  rowCount: number;
  /** The first rows of the first part, for the preview. */
  preview: string[][];
  guessedMapping?: ColumnMapping;
  /** Set by "Use this dataset": the mapping, cleaning choices and split the trainer will use. */
  confirmed?: DatasetConfig;
}

export interface RowChunk {
  datasetId: string;
  part: number;
  chunk: number;
  rows: string[][];
}

export interface TextChunk {
  datasetId: string;
  part: number;
  chunk: number;
  text: string;
}
