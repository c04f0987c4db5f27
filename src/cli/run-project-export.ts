// `npm run export -- --run DIR --project PDIR`: writes a finished CLI run as a Hugging Face Trainer project, from
// the data files and settings its run folder remembers (see run-record.ts): a classifier's or a causal LM's.
import { basename, resolve } from 'node:path';
import type { ProjectExportOptions } from './args';
import { descriptorFor } from '../core/models/registry';
import { CliError } from './fail';
import { readGenerativeData } from './generative-data';
import { prepareTrainingData } from './prepare-data';
import { readRunRecord } from './run-record';
import { writeCausalLmProject, writeProject } from './write-project';

export async function runProjectExport(o: ProjectExportOptions): Promise<number> {
  const record = await readRunRecord(o.run);
  const options = { runName: basename(resolve(o.run)), includeData: o.projectData };
  if (record.task === 'causal-lm') {
    const { prepared } = await readGenerativeData(
      record.data.train.path,
      record.data.validation?.path,
      record.textColumn,
    );
    await writeCausalLmProject(o.project, record, prepared, options);
  } else {
    // A decoder's sequence-classification run: train.py is written for encoder classifiers.
    const descriptor = descriptorFor(record.baseModel.config, record.baseModel.displayName);
    if (descriptor.kind === 'decoder')
      throw new CliError(
        `${o.run} is a ${descriptor.label} sequence-classification run: the Trainer project is written for ` +
          'encoder classifiers only; its folder already loads with AutoModelForSequenceClassification',
      );
    const data = await prepareTrainingData(
      record.data.train.path,
      record.data.validation?.path,
      record.columns,
    );
    await writeProject(o.project, record, data, options);
  }
  process.stderr.write(`project: ${o.project} (accelerate launch train.py there trains the run)\n`);
  return 0;
}
