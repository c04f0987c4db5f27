// Loads a PEFT LoRA adapter onto the loaded model (the Model step's "LoRA adapter" field): reads
// adapter_config.json and adapter_model.safetensors, checks that the adapter fits the base by building base +
// adapter once (the same build the Playground and Evaluate use), and keeps it on the loaded model.
import { cachedSource } from '../core/hub/cache';
import { readAdapter } from '../core/lora/adapter-files';
import { adaptedCausalLM } from '../core/lora/adapted-lm';
import { LoraConfigError } from '../core/lora/config';
import { trainedClassifier, type NamedAdapter } from '../core/lora/trained-classifier';
import { sourceOf, type LoadedModel } from './model-session';
import type { AdapterFacts, ModelSourceSpec } from './protocol';

/** Reads the adapter and attaches it to `loaded` (replacing an earlier one); throws a one-line reason. */
export async function loadAdapterOnto(loaded: LoadedModel, spec: ModelSourceSpec): Promise<AdapterFacts> {
  const { source, cache } = sourceOf(spec);
  const adapter: NamedAdapter = { ...(await readAdapter(cachedSource(source, cache))), name: source.name };
  const facts = checkAdapter(loaded, adapter);
  loaded.adapter = { adapter, facts };
  return facts;
}

/** Builds base + adapter once and frees it: an adapter that does not fit fails here, with PEFT's reason. */
function checkAdapter(loaded: LoadedModel, adapter: NamedAdapter): AdapterFacts {
  const { config } = adapter;
  const want = loaded.kind === 'decoder' ? 'CAUSAL_LM' : 'SEQ_CLS';
  if (config.task_type !== want)
    throw new LoraConfigError(
      `${adapter.name} is a ${config.task_type} adapter; ${loaded.facts.name} is ${
        loaded.kind === 'decoder'
          ? 'a decoder: it takes CAUSAL_LM adapters'
          : 'an encoder: it takes SEQ_CLS adapters'
      }`,
    );
  let labels: string[] = [];
  if (loaded.kind === 'decoder') {
    adaptedCausalLM(loaded.pretrained, loaded.generationConfig, adapter).model.dispose();
  } else {
    const built = trainedClassifier(
      { config: loaded.config, weights: loaded.pretrained.weights, name: loaded.facts.name },
      adapter,
    );
    built.model.dispose();
    labels = built.labels;
  }
  return {
    name: adapter.name,
    r: config.r,
    loraAlpha: config.lora_alpha,
    targets: config.target_modules,
    taskType: config.task_type,
    modulesToSave: config.modules_to_save ?? [],
    baseModel: config.base_model_name_or_path,
    labels,
  };
}
