// `npm run train -- --data F --model ID|DIR --out DIR [options]`: fine-tunes a classifier in Node with the same
// core as the app, and writes the exported model folder. See TRAIN_USAGE and run-training.ts.
import { parseTrainArgs, TRAIN_USAGE } from './args';
import { runMain } from './fail';
import { runTraining } from './run-training';

runMain(async () => {
  const options = parseTrainArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${TRAIN_USAGE}\n`);
    return 0;
  }
  return runTraining(options);
});
