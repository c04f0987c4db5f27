// `npm run export -- --model ID|DIR --out DIR [--onnx]` (run-export.ts) or `npm run export -- --run DIR
// --project PDIR` (run-project-export.ts): see EXPORT_USAGE.
import { EXPORT_USAGE, parseExportArgs } from './args';
import { runMain } from './fail';
import { runExport } from './run-export';
import { runProjectExport } from './run-project-export';

runMain(async () => {
  const options = parseExportArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  return options.kind === 'project' ? runProjectExport(options) : runExport(options);
});
