// What the page asks of the last causal-LM run's decoder (kept by the training session): what it is (the
// Export and Evaluate steps), and its "Download model" zip, the Hugging Face folder core/export/causal-lm-folder.ts
// builds, as the CLI's --out writes it (merged weights; with LoRA also or only the PEFT adapter).
import * as tf from '@tensorflow/tfjs';

import { buildCausalLmExportFolder } from '../core/export/causal-lm-folder';
import { exportListing, type ExportEntry } from '../core/export/listing';
import { zipExport } from '../core/export/zip';
import { loraExportFiles, type LoraExportKind } from '../core/lora/export';
import { mergedWeights } from '../core/lora/merge';
import type { CausalLmResultsInfo } from './protocol';
import { exportModelName } from './results-export-inputs';
import type { TrainedCausalLm } from './training-session';

export function causalLmResultsInfo(trained: TrainedCausalLm | undefined): CausalLmResultsInfo | null {
  if (!trained) return null;
  const { record } = trained;
  return {
    runId: trained.runId,
    modelName: trained.loaded.facts.name,
    kind: record.dataset.kind,
    ...(record.finalEvaluation ? { finalEvaluation: record.finalEvaluation } : {}),
    ...(trained.model.lora
      ? {
          lora: {
            r: trained.model.lora.config.r,
            lora_alpha: trained.model.lora.config.lora_alpha,
            target_modules: trained.model.lora.targetNames,
          },
        }
      : {}),
  };
}

export async function causalLmExportZip(
  trained: TrainedCausalLm | undefined,
  loraExport: LoraExportKind | undefined,
): Promise<{ fileName: string; files: ExportEntry[]; zip: Uint8Array }> {
  if (!trained) throw new Error('No causal LM to export yet: train a decoder first');
  const { record, model, loaded, hubId } = trained;
  if (!record.finalEvaluation)
    throw new Error('This run is paused: resume it (or stop it) so that its weights are evaluated first');
  const modelName = exportModelName(hubId ?? loaded.facts.name, 'trained');
  const encoder = new TextEncoder();
  const files = new Map<string, Uint8Array>();
  for (const [name, text] of Object.entries(trained.tokenizerFiles)) files.set(name, encoder.encode(text));
  const folder = buildCausalLmExportFolder({
    modelName,
    baseModel: {
      hubId,
      displayName: loaded.facts.name,
      architecture: model.architecture,
      config: loaded.config,
      files,
    },
    generationConfig: loaded.generationConfig,
    // With LoRA the ordinary folder holds the merged model (W + scale·B·A), loadable without PEFT.
    weights: await mergedWeights(model),
    dataset: record.dataset,
    hyperparameters: record.hyperparameters,
    logHistory: record.logHistory,
    finalEvaluation: record.finalEvaluation,
    run: { ...record.run, trainedIn: 'browser', tfjsVersion: record.run.tfjsVersion ?? tf.version.tfjs },
  });
  let out = folder.files;
  let streamed = folder.streamed;
  if (model.lora) {
    const kind = loraExport ?? 'both';
    out = await loraExportFiles(model.lora, folder.files, kind, hubId ?? loaded.facts.name);
    if (kind === 'adapter') streamed = new Map();
  }
  const zip = zipExport(out, { folder: modelName }, streamed);
  return { fileName: `${modelName}-webtune.zip`, files: exportListing(out, streamed), zip };
}
