// The model the worker holds: its files as loaded (config, weights, tokenizer) and the facts the page shows.
// The classifier itself is built when training starts, once the dataset says how many labels there are.
import { browserCache } from '../core/hub/cache-api';
import { droppedFilesSource, filesByPath } from '../core/hub/dropped-source';
import { hubSource, urlSource } from '../core/hub/http-source';
import { loadConfig, loadPretrained, type PretrainedModel } from '../core/hub/load';
import type { ProgressCallback } from '../core/hub/source';
import { parseConfig, usablePositions, type EncoderDims } from '../core/models/config';
import type { HFConfig } from '../core/models/types';
import { loadTokenizer, type TextTokenizer } from '../core/tokenize/tokenizer';
import type { ModelFacts, ModelSourceSpec } from './protocol';

export interface LoadedModel {
  pretrained: PretrainedModel;
  config: HFConfig;
  dims: EncoderDims;
  tokenizer: TextTokenizer;
  facts: ModelFacts;
}

export async function loadModel(spec: ModelSourceSpec, onProgress: ProgressCallback): Promise<LoadedModel> {
  const source =
    spec.kind === 'hub'
      ? hubSource(spec.id, { endpoint: spec.endpoint, revision: spec.revision })
      : spec.kind === 'url'
        ? urlSource(spec.url)
        : droppedFilesSource(filesByPath(spec.files), folderName(spec.files));
  // Dropped files are already on this machine; downloads are kept.
  const cache = spec.kind === 'files' ? undefined : browserCache();
  // Check the config before downloading weights, so an unsupported model fails in a second, not after 500 MB.
  // (config.json is cached, so loadPretrained reads it again from the cache.)
  parseConfig((await loadConfig(source, { onProgress, cache })) as HFConfig, source.name);
  const pretrained = await loadPretrained(source, { onProgress, cache });
  const config = pretrained.config as HFConfig;
  const dims = parseConfig(config, pretrained.name);
  const tokenizer = loadTokenizer(pretrained.tokenizerFiles, { model: pretrained.name });
  const maxLength = Math.min(usablePositions(dims), tokenizer.maxLength);
  return {
    pretrained,
    config,
    dims,
    tokenizer,
    facts: {
      name: pretrained.name,
      architecture: config.architectures?.[0] ?? dims.architecture,
      modelType: dims.architecture,
      parameters: countParameters(pretrained),
      maxLength,
      layers: dims.numLayers,
      hiddenSize: dims.hiddenSize,
      vocabSize: dims.vocabSize,
      labels: headLabels(config),
    },
  };
}

/** The checkpoint's parameters, leaving out a masked-LM head, which fine-tuning does not use. */
function countParameters(model: PretrainedModel): number {
  let count = 0;
  for (const [name, tensor] of model.weights) {
    if (!name.startsWith('cls.') && !name.startsWith('lm_head.') && !name.startsWith('vocab_')) {
      count += tensor.data.length;
    }
  }
  return count;
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
