// Writes the Hugging Face Trainer project of a CLI run (`--project PDIR` of train, `--run DIR --project PDIR` of
// export) from the run's record and its prepared data: the core's project files, into the folder.
import { buildTrainingProject } from '../core/export/project';
import type { TrainingData } from './prepare-data';
import type { CliRunRecord } from './run-record';
import { writeExportFolder } from './write-folder';

export async function writeProject(
  projectDir: string,
  record: CliRunRecord,
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
