// A decoder with a PEFT CAUSAL_LM adapter applied: the one place that builds it, for `npm run generate
// --adapter` and the app's generation Playground.
import { causalLMFromPretrained, type LoadedCausalLM } from '../generate/load';
import type { PretrainedModel } from '../hub/load';
import { attachLora } from './attach';
import { LoraConfigError } from './config';
import type { NamedAdapter } from './trained-classifier';

/** The decoder with the adapter's values attached; LoraConfigError when the adapter does not fit it. */
export function adaptedCausalLM(
  pretrained: PretrainedModel,
  generationConfig: Record<string, unknown> | undefined,
  adapter: NamedAdapter | undefined,
): LoadedCausalLM {
  if (adapter && adapter.config.task_type !== 'CAUSAL_LM')
    throw new LoraConfigError(
      `${adapter.name} is a ${adapter.config.task_type} adapter (a classifier's): ${pretrained.name} generates ` +
        'text and takes CAUSAL_LM adapters',
    );
  const lm = causalLMFromPretrained(pretrained, generationConfig);
  if (adapter) {
    try {
      attachLora(lm.model, adapter.config, { seed: 0, weights: adapter.weights, modelName: adapter.name });
    } catch (error) {
      lm.model.dispose();
      throw error;
    }
  }
  return lm;
}
