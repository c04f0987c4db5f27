// The entry point for a decoder: config, weights, tokenizer and generation_config.json from any ModelSource
// (Hub, URL, dropped files, a local folder), through an optional cache; the config is checked before the
// weights are downloaded, so an encoder or an unsupported model fails at once with what it is.
import { cachedSource } from '../hub/cache';
import { loadConfig, loadPretrained, type LoadOptions, type PretrainedModel } from '../hub/load';
import { fetchOptional, type ModelSource } from '../hub/source';
import { buildCausalLM, checkDecoderConfig, type CausalLM } from '../models/causal-lm';
import type { HFConfig } from '../models/types';
import { loadTokenizer, type TextTokenizer } from '../tokenize/tokenizer';
import { GenerationConfigError, modelGenerationSettings, type GenerationSettings } from './generation-config';

export interface LoadedCausalLM {
  /** How messages name the model. */
  name: string;
  model: CausalLM;
  tokenizer: TextTokenizer;
  /** The model's own generation defaults (generation_config.json over transformers' defaults). */
  generation: GenerationSettings;
  /** The files as loaded (config, checkpoint tensors, tokenizer files). */
  pretrained: PretrainedModel;
}

/** Loads and builds a decoder; dispose `model` when done. */
export async function loadCausalLM(source: ModelSource, options: LoadOptions = {}): Promise<LoadedCausalLM> {
  const cached = cachedSource(source, options.cache);
  const inner = { onProgress: options.onProgress };
  checkDecoderConfig((await loadConfig(cached, inner)) as HFConfig, source.name);
  const pretrained = await loadPretrained(cached, inner);
  return causalLMFromPretrained(pretrained, await readGenerationConfig(cached, inner.onProgress));
}

/** A decoder from files already loaded (the CLI's folders and Hub downloads go through loadPretrained). */
export function causalLMFromPretrained(
  pretrained: PretrainedModel,
  generationConfig: Record<string, unknown> | undefined,
): LoadedCausalLM {
  const config = pretrained.config as HFConfig;
  const model = buildCausalLM(config, pretrained.weights, { modelName: pretrained.name });
  try {
    const tokenizer = loadTokenizer(pretrained.tokenizerFiles, { model: pretrained.name });
    const generation = modelGenerationSettings(generationConfig, model.dims, pretrained.name);
    return { name: pretrained.name, model, tokenizer, generation, pretrained };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** generation_config.json parsed, or undefined when the model has none. */
export async function readGenerationConfig(
  source: ModelSource,
  onProgress?: LoadOptions['onProgress'],
): Promise<Record<string, unknown> | undefined> {
  const bytes = await fetchOptional(source, 'generation_config.json', onProgress);
  if (!bytes) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new GenerationConfigError(
      `generation_config.json of model ${source.name} is not valid JSON (${(error as Error).message})`,
    );
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new GenerationConfigError(`generation_config.json of model ${source.name} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
