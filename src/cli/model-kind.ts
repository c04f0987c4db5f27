// What a CLI command can do with a model, checked on config.json before the weights are read: train and
// predict need an encoder (a sequence classifier), generate needs a decoder. The refusal is one line saying
// what the model is and which command uses it.
import { describeModel, descriptorFor } from '../core/models/registry';
import type { HFConfig } from '../core/models/types';
import { CliError } from './fail';
import type { ConfigCheck } from './load-model';

export const requireEncoder: ConfigCheck = (config: HFConfig, name: string) => {
  if (descriptorFor(config, name).kind !== 'encoder') throw new CliError(describeModel(config, name));
};

export const requireDecoder: ConfigCheck = (config: HFConfig, name: string) => {
  if (descriptorFor(config, name).kind !== 'decoder') throw new CliError(describeModel(config, name));
};
