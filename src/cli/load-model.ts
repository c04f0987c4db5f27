// A pre-trained model for the CLI: a local folder when the path is one, else a Hub id (through --hub for a
// mirror) downloaded once into the folder cache.
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { hubSource, loadPretrained, type PretrainedModel } from '../core/hub';
import { CliError } from './fail';
import { localFolderSource } from './local-source';
import { FolderCache } from './node-cache';

export interface LoadedModel extends PretrainedModel {
  /** The Hub id when the model came from the Hub. */
  hubId?: string;
  /** How messages and the model card name it: the Hub id or the folder's name. */
  displayName: string;
}

function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** Paths that look like paths (./x, /x, x/y/z) but are not folders are an error, not a Hub id. */
export async function loadModel(ref: string, hub?: string): Promise<LoadedModel> {
  if (isFolder(ref)) {
    const pretrained = await loadPretrained(localFolderSource(ref));
    return { ...pretrained, displayName: basename(resolve(ref)) };
  }
  if (/^[.~/]/.test(ref) || ref.split('/').length > 2)
    throw new CliError(`Model folder ${ref} does not exist (and it is not a Hub id like "org/name")`);
  const source = hubSource(ref, hub ? { endpoint: hub } : {});
  const pretrained = await loadPretrained(source, { cache: new FolderCache() });
  return { ...pretrained, hubId: ref, displayName: ref };
}

/** The model's files as bytes, for the export (which copies the tokenizer files among them). */
export function modelFileBytes(model: PretrainedModel): Map<string, Uint8Array> {
  const encoder = new TextEncoder();
  return new Map(Object.entries(model.tokenizerFiles).map(([name, text]) => [name, encoder.encode(text)]));
}
