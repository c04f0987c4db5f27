// A pre-trained model for the CLI: a local folder when the path is one, else a Hub id (through --hub for a
// mirror) downloaded once into the folder cache.
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  cachedSource,
  fetchOptional,
  hubSource,
  loadConfig,
  loadPretrained,
  type ModelSource,
  type PretrainedModel,
} from '../core/hub';
import { TOKENIZER_FILE_NAMES } from '../core/export/tokenizer-files';
import type { HFConfig } from '../core/models/types';
import { CliError } from './fail';
import { readAdapter, type ReadAdapter } from '../core/lora/adapter-files';
import { LoraConfigError } from '../core/lora/config';
import { localFolderSource } from './local-source';
import { FolderCache } from './node-cache';

export interface LoadedModel extends PretrainedModel {
  /** The Hub id when the model came from the Hub. */
  hubId?: string;
  /** How messages and the model card name it: the Hub id or the folder's name. */
  displayName: string;
  /** Tokenizer files the loader did not need (vocab.txt beside tokenizer.json, …), kept for the export. */
  extraFiles: Map<string, Uint8Array>;
  /** Where the files came from (through the cache), for files read later (generation_config.json). */
  source: ModelSource;
}

/**
 * Called with config.json before the weights are read, so that a model the command cannot use (an encoder
 * given to generate, a decoder to train) fails in a second with one line, not after a download.
 */
export type ConfigCheck = (config: HFConfig, displayName: string) => void;

/** The tokenizer files a slow (Python) tokenizer would need that tokenizer.json made unnecessary here. */
async function extraTokenizerFiles(source: ModelSource, loaded: PretrainedModel) {
  const extra = new Map<string, Uint8Array>();
  for (const name of TOKENIZER_FILE_NAMES) {
    if (name in loaded.tokenizerFiles) continue;
    const bytes = await fetchOptional(source, name);
    if (bytes) extra.set(name, bytes);
  }
  return extra;
}

function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** The model's config.json alone (through the folder cache for a Hub id), to decide what to do with it. */
export async function readModelConfig(
  ref: string,
  hub?: string,
): Promise<{ config: HFConfig; name: string }> {
  if (isFolder(ref))
    return { config: (await loadConfig(localFolderSource(ref))) as HFConfig, name: basename(resolve(ref)) };
  if (/^[.~/]/.test(ref) || ref.split('/').length > 2)
    throw new CliError(`Model folder ${ref} does not exist (and it is not a Hub id like "org/name")`);
  const source = cachedSource(hubSource(ref, hub ? { endpoint: hub } : {}), new FolderCache());
  return { config: (await loadConfig(source)) as HFConfig, name: ref };
}

/** Paths that look like paths (./x, /x, x/y/z) but are not folders are an error, not a Hub id. */
export async function loadModel(ref: string, hub?: string, check?: ConfigCheck): Promise<LoadedModel> {
  if (isFolder(ref)) {
    const source = localFolderSource(ref);
    const displayName = basename(resolve(ref));
    if (check) check((await loadConfig(source)) as HFConfig, displayName);
    const pretrained = await loadPretrained(source);
    const extraFiles = await extraTokenizerFiles(source, pretrained);
    return { ...pretrained, displayName, extraFiles, source };
  }
  if (/^[.~/]/.test(ref) || ref.split('/').length > 2)
    throw new CliError(`Model folder ${ref} does not exist (and it is not a Hub id like "org/name")`);
  const source = hubSource(ref, hub ? { endpoint: hub } : {});
  const cache = new FolderCache();
  const cached = cachedSource(source, cache);
  if (check) check((await loadConfig(cached)) as HFConfig, ref);
  const pretrained = await loadPretrained(cached);
  const extraFiles = await extraTokenizerFiles(cached, pretrained);
  return { ...pretrained, hubId: ref, displayName: ref, extraFiles, source: cached };
}

/** A PEFT adapter (a folder, or a Hub id through the folder cache), read as core/lora reads one. */
export async function loadAdapter(ref: string, hub?: string): Promise<ReadAdapter & { name: string }> {
  let source: ModelSource;
  if (isFolder(ref)) source = localFolderSource(ref);
  else if (/^[.~/]/.test(ref) || ref.split('/').length > 2)
    throw new CliError(`Adapter folder ${ref} does not exist (and it is not a Hub id like "org/name")`);
  else source = cachedSource(hubSource(ref, hub ? { endpoint: hub } : {}), new FolderCache());
  try {
    return { ...(await readAdapter(source)), name: source.name };
  } catch (error) {
    if (error instanceof LoraConfigError) throw new CliError(error.message);
    throw error;
  }
}

/** The model's files as bytes, for the export (which copies the tokenizer files among them). */
export function modelFileBytes(model: LoadedModel): Map<string, Uint8Array> {
  const encoder = new TextEncoder();
  const files = new Map(model.extraFiles);
  for (const [name, text] of Object.entries(model.tokenizerFiles)) files.set(name, encoder.encode(text));
  return files;
}
