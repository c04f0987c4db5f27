// `npm run export -- --run DIR --project PDIR`: writes a finished CLI run as a Hugging Face Trainer project, from
// the data files and settings its run folder remembers (see run-record.ts).
import { basename, resolve } from 'node:path';
import { EXPORT_USAGE, parseExportArgs } from './args';
import { runMain } from './fail';
import { prepareTrainingData } from './prepare-data';
import { readRunRecord } from './run-record';
import { writeProject } from './write-project';

runMain(async () => {
  const options = parseExportArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  const record = await readRunRecord(options.run);
  const data = await prepareTrainingData(
    record.data.train.path,
    record.data.validation?.path,
    record.columns,
  );
  await writeProject(options.project, record, data, {
    runName: basename(resolve(options.run)),
    includeData: options.projectData,
  });
  process.stderr.write(`project: ${options.project} (accelerate launch train.py there trains the run)\n`);
  return 0;
});
