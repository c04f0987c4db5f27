// `npm run export -- --run DIR --project PDIR`: writes a finished CLI run as a Hugging Face Trainer project, from
// the data files and settings its run folder remembers (see run-record.ts).
import { basename, resolve } from 'node:path';
import type { ProjectExportOptions } from './args';
import { prepareTrainingData } from './prepare-data';
import { readRunRecord } from './run-record';
import { writeProject } from './write-project';

export async function runProjectExport(o: ProjectExportOptions): Promise<number> {
  const record = await readRunRecord(o.run);
  const data = await prepareTrainingData(
    record.data.train.path,
    record.data.validation?.path,
    record.columns,
  );
  await writeProject(o.project, record, data, {
    runName: basename(resolve(o.run)),
    includeData: o.projectData,
  });
  process.stderr.write(`project: ${o.project} (accelerate launch train.py there trains the run)\n`);
  return 0;
}
