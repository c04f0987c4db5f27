// The model the worker holds: its files as loaded (config, weights, tokenizer) and the facts the page shows.
// An encoder's classifier is built when training starts, once the dataset says how many labels there are; a
// decoder is built by the generation session when the Playground first asks it for text.
import { modelGenerationSettings, type GenerationSettings } from '../core/generate/generation-config';
import { readGenerationConfig } from '../core/generate/load';
import { cachedSource } from '../core/hub/cache';
import { browserCache } from '../core/hub/cache-api';
import { droppedFilesSource, filesByPath } from '../core/hub/dropped-source';
import { hubSource, urlSource } from '../core/hub/http-source';
import { loadConfig, loadPretrained, type PretrainedModel } from '../core/hub/load';
import type { ModelSource, ProgressCallback } from '../core/hub/source';
import type { FileCache } from '../core/hub/cache';
import type { NamedAdapter } from '../core/lora/trained-classifier';
import { parseConfig, usablePositions, type EncoderDims } from '../core/models/config';
import { checkDecoderConfig } from '../core/models/causal-lm';
import type { DecoderDims } from '../core/models/decoder';
import { descriptorFor } from '../core/models/registry';
import type { HFConfig } from '../core/models/types';
import { loadTokenizer, type TextTokenizer } from '../core/tokenize/tokenizer';
import type { AdapterFacts, ModelFacts, ModelSourceSpec, PlaygroundGenerationSettings } from './protocol';

interface LoadedFiles {
  pretrained: PretrainedModel;
  /**
   * A PEFT adapter loaded onto this model (adapter-session.ts): the Playground and "use the loaded model as it
   * is" apply it. Loading another model drops it with the model.
   */
  adapter?: { adapter: NamedAdapter; facts: AdapterFacts };
  config: HFConfig;
  tokenizer: TextTokenizer;
  facts: ModelFacts;
}

/** An encoder (BERT, DistilBERT, RoBERTa): fine-tuned as a classifier when training starts. */
export interface LoadedEncoder extends LoadedFiles {
  kind: 'encoder';
  dims: EncoderDims;
}

/** A decoder (GPT-2, Llama, Qwen2): generates text in the Playground. */
export interface LoadedDecoder extends LoadedFiles {
  kind: 'decoder';
  dims: DecoderDims;
  /** generation_config.json, when the model has one. */
  generationConfig?: Record<string, unknown>;
  /** A run's copy with ChatML added (causal-lm-run.ts's runDecoder), not the model the Model step loaded. */
  chatMlAdded?: boolean;
}

export type LoadedModel = LoadedEncoder | LoadedDecoder;

/** The files a spec names, and the cache downloads go through (dropped files are already on this machine). */
export function sourceOf(spec: ModelSourceSpec): { source: ModelSource; cache?: FileCache } {
  const source =
    spec.kind === 'hub'
      ? hubSource(spec.id, { endpoint: spec.endpoint, revision: spec.revision })
      : spec.kind === 'url'
        ? urlSource(spec.url)
        : droppedFilesSource(filesByPath(spec.files), folderName(spec.files));
  return { source, cache: spec.kind === 'files' ? undefined : browserCache() };
}

export async function loadModel(spec: ModelSourceSpec, onProgress: ProgressCallback): Promise<LoadedModel> {
  const { source, cache } = sourceOf(spec);
  // Check the config before downloading weights, so an unsupported model fails in a second, not after 500 MB.
  // (config.json is cached, so loadPretrained reads it again from the cache.)
  const first = (await loadConfig(source, { onProgress, cache })) as HFConfig;
  const kind = descriptorFor(first, source.name).kind;
  if (kind === 'encoder') parseConfig(first, source.name);
  else checkDecoderConfig(first, source.name);
  const pretrained = await loadPretrained(source, { onProgress, cache });
  const config = pretrained.config as HFConfig;
  const tokenizer = loadTokenizer(pretrained.tokenizerFiles, { model: pretrained.name });
  if (kind === 'decoder') {
    const { dims, descriptor } = checkDecoderConfig(config, pretrained.name);
    const generationConfig = await readGenerationConfig(cachedSource(source, cache), onProgress);
    return {
      kind,
      pretrained,
      config,
      dims,
      tokenizer,
      generationConfig,
      facts: {
        name: pretrained.name,
        kind,
        architecture: config.architectures?.[0] ?? descriptor.tasks['causal-lm'].className,
        modelType: dims.architecture,
        parameters: countParameters(pretrained, kind, dims.tieWordEmbeddings),
        maxLength: descriptor.maxLength(dims),
        layers: dims.numLayers,
        hiddenSize: dims.hiddenSize,
        vocabSize: dims.vocabSize,
        labels: [],
        chatTemplate: tokenizer.chatTemplate !== undefined,
        generation: playgroundDefaults(modelGenerationSettings(generationConfig, dims, pretrained.name)),
      },
    };
  }
  const dims = parseConfig(config, pretrained.name);
  const maxLength = Math.min(usablePositions(dims), tokenizer.maxLength);
  return {
    kind,
    pretrained,
    config,
    dims,
    tokenizer,
    facts: {
      name: pretrained.name,
      kind,
      architecture: config.architectures?.[0] ?? dims.architecture,
      modelType: dims.architecture,
      parameters: countParameters(pretrained, kind),
      maxLength,
      layers: dims.numLayers,
      hiddenSize: dims.hiddenSize,
      vocabSize: dims.vocabSize,
      labels: headLabels(config),
      chatTemplate: false,
    },
  };
}

/**
 * The checkpoint's parameters. An encoder's masked-LM head is left out (fine-tuning does not use it); a
 * decoder's lm_head counts unless it is the tied copy of the embeddings, as transformers counts it.
 */
function countParameters(model: PretrainedModel, kind: LoadedModel['kind'], tied = false): number {
  let count = 0;
  for (const [name, tensor] of model.weights) {
    const unused =
      kind === 'encoder'
        ? name.startsWith('cls.') || name.startsWith('lm_head.') || name.startsWith('vocab_')
        : tied && name === 'lm_head.weight';
    if (!unused) count += tensor.data.length;
  }
  return count;
}

/** What the Playground's sampling form starts from (the stop ids stay the model's own). */
function playgroundDefaults(settings: GenerationSettings): PlaygroundGenerationSettings {
  const { maxNewTokens, doSample, temperature, topK, topP, repetitionPenalty, seed } = settings;
  return { maxNewTokens, doSample, temperature, topK, topP, repetitionPenalty, seed };
}

/** The labels of a sequence-classification checkpoint; none for a bare or MLM checkpoint. */
function headLabels(config: HFConfig): string[] {
  const isClassifier = config.architectures?.some((a) => a.endsWith('ForSequenceClassification')) ?? false;
  if (!isClassifier || !config.id2label) return [];
  return Object.entries(config.id2label)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, label]) => label);
}

function folderName(files: File[]): string {
  const first = files[0] as (File & { webkitRelativePath?: string }) | undefined;
  const top = first?.webkitRelativePath?.split('/')[0];
  return top ? `the dropped folder ${top}` : 'the dropped folder';
}
