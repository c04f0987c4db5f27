// The model-sources API in one import: where files come from, how they are cached, and the loader.
export { CacheApiCache, browserCache, MODEL_CACHE_NAME } from './cache-api';
export { cachedSource, MemoryCache, type FileCache } from './cache';
export { droppedFilesSource, filesByPath } from './dropped-source';
export { ModelLoadError, type ModelLoadErrorCode } from './errors';
export {
  DEFAULT_HUB_ENDPOINT,
  hubSource,
  resolveModelSource,
  urlSource,
  type HubSourceOptions,
} from './http-source';
export {
  fetchTokenizerFiles,
  loadConfig,
  loadPretrained,
  loadWeights,
  type LoadOptions,
  type LoadPretrainedOptions,
  type PretrainedModel,
  type TokenizerFiles,
} from './load';
export { readPytorchBin } from './pytorch-bin';
export { readSafetensors, readSafetensorsHeader, readShardIndex } from './safetensors';
export { fetchOptional, type FileProgress, type ModelSource, type ProgressCallback } from './source';
export type { HostTensor, TensorMap } from './tensors';
