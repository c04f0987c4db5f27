// What a CLI command can do with a model, checked on config.json before the weights are read: predict needs a
// sequence classifier (an encoder, or a decoder saved as *ForSequenceClassification), generate needs a decoder.
// (train checks the task against the model itself, run-training.ts.) The refusal is one line saying what the
// model is and which command uses it.
import { describeModel, descriptorFor } from '../core/models/registry';
import type { HFConfig } from '../core/models/types';
import { CliError } from './fail';
import type { ConfigCheck } from './load-model';

export const requireDecoder: ConfigCheck = (config: HFConfig, name: string) => {
  if (descriptorFor(config, name).kind !== 'decoder') throw new CliError(describeModel(config, name));
};

/** An encoder, or a decoder whose config.json names its *ForSequenceClassification class (a trained score). */
export const requireClassifier: ConfigCheck = (config: HFConfig, name: string) => {
  const d = descriptorFor(config, name);
  if (d.kind === 'encoder') return;
  const className = d.tasks['sequence-classification'].className;
  const saved = config.architectures?.[0];
  if (!config.architectures?.includes(className))
    throw new CliError(
      `${name} is a ${d.label} causal language model${saved ? ` (${saved})` : ''}, not a sequence classifier: ` +
        `this needs a ${className}; make one with npm run train -- --task sequence-classification`,
    );
};
