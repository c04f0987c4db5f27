// What a LoRA run exports, as file name → bytes (the app's zip and the CLI's folder alike): the merged model
// (the ordinary Hugging Face folder), the PEFT adapter folder, or both, the adapter then under `adapter/`.
import type { ExportFiles } from '../export/bundle';
import { TOKENIZER_FILE_NAMES } from '../export/tokenizer-files';
import type { LoraState } from './attach';
import { adapterFiles } from './adapter-files';

export const LORA_EXPORT_KINDS = ['adapter', 'merged', 'both'] as const;
export type LoraExportKind = (typeof LORA_EXPORT_KINDS)[number];

/** Where the adapter goes inside a `both` export. */
export const ADAPTER_SUBFOLDER = 'adapter';

/** The files the adapter folder takes from the merged export besides its own: tokenizer and run records. */
const COPIED = new Set<string>([...TOKENIZER_FILE_NAMES, 'training_args.json', 'metrics.json']);

/**
 * `merged`: the folder buildExportFiles made from the merged weights (mergedWeights). `adapter`: PEFT's adapter
 * folder with the tokenizer files, training_args.json, metrics.json and a model card whose body is the merged
 * card's under PEFT's front matter (`base_model`, `library_name: peft`). `both`: the merged folder with the
 * adapter folder in `adapter/`.
 */
export async function loraExportFiles(
  state: LoraState,
  merged: ExportFiles,
  kind: LoraExportKind,
  baseModel: string,
): Promise<ExportFiles> {
  if (kind === 'merged') return merged;
  const card = merged.get('README.md');
  const body = card ? stripFrontMatter(new TextDecoder().decode(card)) : undefined;
  const [name, revision] = baseModel.split('@') as [string, string | undefined];
  const adapter = await adapterFiles(state, { baseModel: name, revision: revision ?? null, cardBody: body });
  for (const [file, bytes] of merged) if (COPIED.has(file)) adapter.set(file, bytes);
  if (kind === 'adapter') return adapter;
  const both: ExportFiles = new Map(merged);
  for (const [file, bytes] of adapter) both.set(`${ADAPTER_SUBFOLDER}/${file}`, bytes);
  return both;
}

function stripFrontMatter(card: string): string {
  const match = /^---\n[\s\S]*?\n---\n/.exec(card);
  return match ? card.slice(match[0].length).replace(/^\n+/, '') : card;
}
