// After training: writes the export folder (config, weights, tokenizer, model card, training_args.json,
// metrics.json with the run service's final evaluation, the ONNX models) with the core's buildExportFolder, the
// weight files streamed to disk.
import * as tf from '@tensorflow/tfjs';
import { basename, resolve } from 'node:path';
import { buildExportFolder } from '../core/export/bundle';
import { trainingArgumentsRecord } from '../core/export/training-files';
import { classifierWeights } from '../core/export/classifier-weights';
import type { DatasetSummary, ExportInputs, FinalEvaluation } from '../core/export/types';
import { WEBTUNE_VERSION } from '../core/export/version';
import type { SequenceClassifier } from '../core/models/types';
import type { TrainingArguments } from '../core/train/arguments';
import type { LogRecord } from '../core/train/trainer';
import { modelFileBytes, type LoadedModel } from './load-model';
import { writeExportFolder } from './write-folder';
import { loraExportFiles, type LoraExportKind } from '../core/lora/export';
import { mergedWeights } from '../core/lora/merge';

export interface ExportRunOptions {
  outDir: string;
  base: LoadedModel;
  model: SequenceClassifier;
  labels: string[];
  dataset: DatasetSummary;
  /** The arguments fitted to the data (planRun), for training_args.json: the CLI's checkpoint schedule is not. */
  args: TrainingArguments;
  maxLength: number;
  logHistory: LogRecord[];
  /** The evaluation of the weights written (core/run/fine-tune.ts). */
  finalEvaluation: FinalEvaluation;
  backend: string;
  startedAt: Date;
  /** With LoRA adapters attached: what to write (core/lora/export.ts). */
  loraExport?: LoraExportKind;
}

export async function exportRun(o: ExportRunOptions): Promise<void> {
  const summary = o.logHistory.find((r) => r.train_runtime !== undefined);
  const inputs: ExportInputs = {
    modelName: basename(resolve(o.outDir)),
    baseModel: {
      hubId: o.base.hubId,
      displayName: o.base.displayName,
      architecture: o.model.architecture,
      // The classifier's config: for a decoder it carries the pad_token_id the score pooled by.
      config: o.model.config,
      files: modelFileBytes(o.base),
    },
    labels: o.labels,
    // With LoRA, the ordinary folder holds the merged model: W + scale·B·A, loadable without PEFT.
    weights: o.model.lora ? await mergedWeights(o.model) : await classifierWeights(o.model.variables),
    dataset: o.dataset,
    hyperparameters: trainingArgumentsRecord(o.args, {
      task: 'sequence-classification',
      maxLength: o.maxLength,
    }),
    logHistory: o.logHistory,
    finalEvaluation: o.finalEvaluation,
    run: {
      backend: o.backend,
      trainedIn: 'cli',
      webtuneVersion: WEBTUNE_VERSION,
      tfjsVersion: tf.version.tfjs,
      startedAt: o.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      trainRuntimeSeconds: summary?.train_runtime,
    },
  };
  const folder = buildExportFolder(inputs);
  if (o.model.lora) {
    const kind = o.loraExport ?? 'both';
    const files = await loraExportFiles(o.model.lora, folder.files, kind, o.base.hubId ?? o.base.displayName);
    // The merged weights (model.safetensors, onnx/) stream in beside the files, unless only the adapter is asked.
    await writeExportFolder(o.outDir, files, kind === 'adapter' ? new Map() : folder.streamed);
  } else await writeExportFolder(o.outDir, folder.files, folder.streamed);
}
