// What a CLI run folder remembers so that `npm run export -- --run DIR --project PDIR` can rebuild its training
// project later: where the data came from (paths and content hashes, never the rows), the column mapping, the
// training arguments as given and the base model; for a causal LM also how the rows became examples (block size,
// packing, masking, the EOS and padding ids, the ChatML fallback). Kept in DIR/.webtune/run.json, out of the
// model's own files.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { CausalLmRunDescription } from '../core/export/project';
import type { ProjectLora } from '../core/export/project/lora';
import type { HFConfig } from '../core/models/types';
import type { TrainingArguments } from '../core/train/arguments';
import type { ColumnFlags } from './prepare-data';
import { CliError } from './fail';
import { isFolder, textFolderFiles } from './text-folder';

export interface RunRecordFile {
  path: string;
  sha256: string;
}

interface RunRecordCommon {
  format: 'webtune-cli-run';
  version: 1;
  data: { train: RunRecordFile; validation?: RunRecordFile };
  args: TrainingArguments;
  baseModel: { hubId?: string; revision?: string; displayName: string; config: HFConfig };
  /** A LoRA run: the adapters' settings as attached, what it exported, the adapter it continued (if any). */
  lora?: ProjectLora;
}

/** A classifier's run (records written before causal-LM runs had one have no task). */
export interface CliClassificationRunRecord extends RunRecordCommon {
  task?: 'sequence-classification';
  columns: ColumnFlags;
  maxLength: number;
}

/** A causal LM's run: the generative rows are read again with the same text column and split. */
export interface CliCausalLmRunRecord extends RunRecordCommon {
  task: 'causal-lm';
  textColumn?: string;
  /** How the rows became examples; the rows themselves are read again from the data files. */
  causalLm: Omit<CausalLmRunDescription, 'kind' | 'train' | 'validation' | 'lora'>;
}

export type CliRunRecord = CliClassificationRunRecord | CliCausalLmRunRecord;

export const runRecordPath = (runDir: string) => join(runDir, '.webtune', 'run.json');

export async function fileRecord(path: string): Promise<RunRecordFile> {
  return { path: resolve(path), sha256: await sha256Of(path) };
}

/** A file's SHA-256; a folder of documents (text-folder.ts): over each .txt file's name and SHA-256, in order. */
async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  if (!isFolder(path)) return hash.update(await readFile(path)).digest('hex');
  for (const file of textFolderFiles(path)) hash.update(`${basename(file)}\0${await sha256Of(file)}\n`);
  return hash.digest('hex');
}

export async function writeRunRecord(runDir: string, record: CliRunRecord): Promise<void> {
  await mkdir(join(runDir, '.webtune'), { recursive: true });
  await writeFile(runRecordPath(runDir), `${JSON.stringify(record, null, 2)}\n`);
}

/** The record of a finished run folder; its data files must still be there, unchanged. */
export async function readRunRecord(runDir: string): Promise<CliRunRecord> {
  const path = runRecordPath(runDir);
  const text = await readFile(path, 'utf8').catch(() => {
    throw new CliError(
      `${runDir} is not a run folder of npm run train (no ${path}); train with --out ${runDir} first`,
    );
  });
  const record = JSON.parse(text) as CliRunRecord;
  if (record.format !== 'webtune-cli-run' || record.version !== 1)
    throw new CliError(`${path} is not a WebTune run record of version 1`);
  for (const file of [record.data.train, record.data.validation]) {
    if (!file) continue;
    const now = await sha256Of(file.path).catch(() => undefined);
    if (now === undefined)
      throw new CliError(
        `The run's data file ${file.path} is gone: the project needs the rows it trained on`,
      );
    if (now !== file.sha256)
      throw new CliError(
        `The run's data file ${file.path} changed since the run: its rows are not the ones trained on`,
      );
  }
  return record;
}
