// `npm run generate -- --model ID|DIR --prompt TEXT [...]`: see GENERATE_USAGE and run-generate.ts.
import { GENERATE_USAGE, parseGenerateArgs } from './args';
import { runMain } from './fail';
import { runGenerate } from './run-generate';

runMain(async () => {
  const options = parseGenerateArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${GENERATE_USAGE}\n`);
    return 0;
  }
  return runGenerate(options);
});
