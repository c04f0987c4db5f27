// `npm run predict -- --model ID|DIR --data F --out preds.csv [--logits]`: see PREDICT_USAGE and run-predict.ts.
import { parsePredictArgs, PREDICT_USAGE } from './args';
import { runMain } from './fail';
import { runPredict } from './run-predict';

runMain(async () => {
  const options = parsePredictArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${PREDICT_USAGE}\n`);
    return 0;
  }
  return runPredict(options);
});
