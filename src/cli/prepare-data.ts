// The CLI's data step: the training file (and the validation file, when given) read by the data core, mapped
// by the column flags or the guessed mapping, cleaned with the app's defaults and split; plus the summary the
// model card shows (the app's, core/export/dataset-summary). A problem that blocks training is one CliError
// naming the file.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { datasetSummary } from '../core/export/dataset-summary';
import type { DatasetSummary } from '../core/export/types';
import type { ColumnMapping } from '../core/data/guess';
import { guessMapping } from '../core/data/guess';
import { readDatasetFile } from './dataset-files';
import {
  DEFAULT_CLEANING,
  DEFAULT_SPLIT,
  prepareDataset,
  type PartRows,
  type PreparedDataset,
} from '../core/data/prepare';
import { CliError } from './fail';

export interface ColumnFlags {
  textColumn?: string;
  textPairColumn?: string;
  labelColumn?: string;
}

export interface DataTable {
  file: string;
  columns: string[];
  rows: string[][];
}

/** Reads one file whole; a missing file or one that is not a file is named in the error. */
export async function readTable(path: string): Promise<DataTable> {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) throw new CliError(`Data file ${path} does not exist`);
  if (!info.isFile()) throw new CliError(`Data file ${path} is not a file`);
  const table = await readDatasetFile(path);
  if (table.rows.length === 0) throw new CliError(`Data file ${path} has no rows`);
  return { file: basename(path), columns: table.columns, rows: table.rows };
}

/** The flags over the guess; a named column that is absent is an error listing the columns there are. */
export function columnMapping(table: DataTable, flags: ColumnFlags, needLabel: boolean): ColumnMapping {
  const guess = guessMapping(table.columns, table.rows.slice(0, 1000));
  const mapping: ColumnMapping = {
    text: flags.textColumn ?? guess?.text ?? '',
    text2: flags.textPairColumn ?? (flags.textColumn ? undefined : guess?.text2),
    label: flags.labelColumn ?? guess?.label,
  };
  const has = (c: string) => table.columns.includes(c);
  const list = table.columns.map((c) => `'${c}'`).join(', ');
  for (const [flag, name] of [
    ['--text-column', flags.textColumn],
    ['--text-pair-column', flags.textPairColumn],
    ['--label-column', flags.labelColumn],
  ] as const)
    if (name !== undefined && !has(name))
      throw new CliError(`${table.file} has no column '${name}' (${flag}); its columns are ${list}`);
  if (!mapping.text)
    throw new CliError(
      `${table.file}: no column looks like text; name it with --text-column (columns: ${list})`,
    );
  if (needLabel && (!mapping.label || mapping.label === mapping.text))
    throw new CliError(
      `${table.file}: no column looks like labels; name it with --label-column (columns: ${list})`,
    );
  return mapping;
}

export interface TrainingData {
  prepared: PreparedDataset;
  mapping: ColumnMapping;
  summary: DatasetSummary;
}

export async function prepareTrainingData(
  trainPath: string,
  validationPath: string | undefined,
  flags: ColumnFlags,
): Promise<TrainingData> {
  const train = await readTable(trainPath);
  const mapping = columnMapping(train, flags, true);
  const parts: PartRows[] = [{ ...train, role: 'train' }];
  if (validationPath) parts.push({ ...(await readTable(validationPath)), role: 'validation' });
  const prepared = prepareDataset(parts, { mapping, cleaning: DEFAULT_CLEANING, split: DEFAULT_SPLIT });
  const problem = prepared.report.problems[0];
  if (problem) throw new CliError(`${train.file}: ${problem.message}`);
  if (prepared.train.length === 0)
    throw new CliError(`${train.file}: no training rows are left after cleaning`);
  return { prepared, mapping, summary: summarise(prepared, mapping, train.file, validationPath) };
}

function summarise(
  prepared: PreparedDataset,
  mapping: ColumnMapping,
  fileName: string,
  validationPath: string | undefined,
): DatasetSummary {
  return datasetSummary({
    fileName,
    textColumns: [mapping.text, ...(mapping.text2 ? [mapping.text2] : [])],
    labelColumn: mapping.label ?? '',
    labels: prepared.labels,
    report: prepared.report,
    trainRows: prepared.train.length,
    validationRows: prepared.validation.length,
    split: validationPath
      ? { kind: 'file', validationFileName: basename(validationPath) }
      : { kind: 'stratified', validationFraction: DEFAULT_SPLIT.validationShare, seed: DEFAULT_SPLIT.seed },
  });
}
