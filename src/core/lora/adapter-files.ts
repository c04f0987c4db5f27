// The adapter folder PEFT's save_pretrained writes, and reading one back: adapter_config.json,
// adapter_model.safetensors (`base_model.model.<module path>.lora_A.weight` [r, in], `.lora_B.weight`
// [out, r], `base_model.model.<saved module>.weight` / `.bias`), and a model card with PEFT's front matter.
import { readSafetensors } from '../hub/safetensors';
import { fetchOptional, type ModelSource } from '../hub/source';
import type { TensorMap } from '../hub/tensors';
import { PT_METADATA, writeSafetensors } from '../export/safetensors-writer';
import { adapterConfigJson, type LoraConfig, LoraConfigError, parseAdapterConfig } from './config';
import { PEFT_PREFIX, type LoraState } from './attach';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';

/** The adapter's tensors under PEFT's names, read from the variables (asynchronous, for webgpu). */
export async function adapterTensors(state: LoraState): Promise<TensorMap> {
  const out: TensorMap = new Map();
  for (const [name, v] of state.trainableVariables()) {
    // trainableVariables names adapters `<path>.lora_A.weight` and saved modules by their own names: PEFT
    // puts both under base_model.model.
    out.set(`${PEFT_PREFIX}${name}`, { shape: v.shape.slice(), data: (await v.data()) as Float32Array });
  }
  return out;
}

export interface AdapterCardInputs {
  /** The base model's Hub id (or folder name) for `base_model:`. */
  baseModel: string;
  /** Optional body after PEFT's front matter (what was trained, on what, with what result). */
  body?: string;
}

/** The model card PEFT writes: `base_model`, `library_name: peft`, the adapter tags. */
export function adapterModelCard(inputs: AdapterCardInputs): string {
  const quote = (s: string) => JSON.stringify(s);
  return [
    '---',
    `base_model: ${quote(inputs.baseModel)}`,
    'library_name: peft',
    'tags:',
    `- ${quote(`base_model:adapter:${inputs.baseModel}`)}`,
    '- lora',
    '- transformers',
    '- webtune',
    '---',
    '',
    inputs.body ??
      `# LoRA adapter for ${inputs.baseModel}\n\nLoad it with \`PeftModel.from_pretrained(base, "<this folder>")\`.\n`,
  ].join('\n');
}

/**
 * adapter_config.json, adapter_model.safetensors and README.md as bytes. `config` may override the base model
 * name and revision recorded in adapter_config.json.
 */
export async function adapterFiles(
  state: LoraState,
  options: { baseModel: string; revision?: string | null; cardBody?: string },
): Promise<Map<string, Uint8Array>> {
  const config: LoraConfig = {
    ...state.config,
    base_model_name_or_path: options.baseModel,
    revision: options.revision ?? state.config.revision,
  };
  const utf8 = (s: string) => new TextEncoder().encode(s);
  return new Map([
    [ADAPTER_CONFIG_FILE, utf8(adapterConfigJson(config, state.targetNames))],
    [ADAPTER_WEIGHTS_FILE, writeSafetensors(await adapterTensors(state), PT_METADATA)],
    ['README.md', utf8(adapterModelCard({ baseModel: options.baseModel, body: options.cardBody }))],
  ]);
}

export interface ReadAdapter {
  config: LoraConfig;
  weights: TensorMap;
}

/** An adapter from its two files' bytes; `where` names it in messages. */
export function parseAdapter(configBytes: Uint8Array, weightBytes: Uint8Array, where: string): ReadAdapter {
  const config = parseAdapterConfig(new TextDecoder().decode(configBytes), `${where}/${ADAPTER_CONFIG_FILE}`);
  const raw = readSafetensors(weightBytes);
  // PEFT names tensors without the adapter name ("default"); older versions kept it in some keys.
  const weights: TensorMap = new Map();
  for (const [name, t] of raw) weights.set(name.replace(/\.default\.weight$/, '.weight'), t);
  return { config, weights };
}

/** Reads an adapter from a source (a Hub id, a URL or a folder): adapter_config.json and its safetensors. */
export async function readAdapter(source: ModelSource): Promise<ReadAdapter> {
  const configBytes = await fetchOptional(source, ADAPTER_CONFIG_FILE);
  if (!configBytes)
    throw new LoraConfigError(`${source.name} has no ${ADAPTER_CONFIG_FILE}: it is not a PEFT adapter`);
  const weightBytes = await fetchOptional(source, ADAPTER_WEIGHTS_FILE);
  if (!weightBytes)
    throw new LoraConfigError(
      `${source.name} has no ${ADAPTER_WEIGHTS_FILE} (WebTune reads safetensors adapters only)`,
    );
  return parseAdapter(configBytes, weightBytes, source.name);
}
