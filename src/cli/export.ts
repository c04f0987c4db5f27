// `npm run export -- --model ID|DIR --out DIR [--onnx]`: see EXPORT_USAGE and run-export.ts.
import { EXPORT_USAGE, parseExportArgs } from './args';
import { runMain } from './fail';
import { runExport } from './run-export';

runMain(async () => {
  const options = parseExportArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  return runExport(options);
});
