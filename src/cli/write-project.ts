// Writes the Hugging Face Trainer project of a CLI run (`--project PDIR` of train, `--run DIR --project PDIR` of
// export) from the run's record and its prepared data (a classifier's examples or a causal LM's generative rows):
// the core's project files, into the folder.
import type { PreparedGenerative } from '../core/data/generative';
import { buildTrainingProject } from '../core/export/project';
import type { TrainingData } from './prepare-data';
import type { CliCausalLmRunRecord, CliClassificationRunRecord } from './run-record';
import { writeExportFolder } from './write-folder';

export async function writeProject(
  projectDir: string,
  record: CliClassificationRunRecord,
  data: Pick<TrainingData, 'prepared' | 'mapping'>,
  options: { runName: string; includeData: boolean },
): Promise<string[]> {
  const files = buildTrainingProject({
    runName: options.runName,
    baseModel: record.baseModel,
    labels: data.prepared.labels,
    pairs: data.mapping.text2 !== undefined,
    maxLength: record.maxLength,
    args: record.args,
    train: data.prepared.train,
    validation: data.prepared.validation,
    includeData: options.includeData,
    lora: record.lora,
  });
  return writeExportFolder(projectDir, files);
}

/** The same for a causal-LM run, from its generative rows after cleaning and the split. */
export async function writeCausalLmProject(
  projectDir: string,
  record: CliCausalLmRunRecord,
  prepared: PreparedGenerative,
  options: { runName: string; includeData: boolean },
): Promise<string[]> {
  const files = buildTrainingProject({
    task: 'causal-lm',
    runName: options.runName,
    baseModel: record.baseModel,
    kind: prepared.report.kind,
    train: prepared.train,
    validation: prepared.validation,
    ...record.causalLm,
    args: record.args,
    includeData: options.includeData,
    lora: record.lora,
  });
  return writeExportFolder(projectDir, files);
}
