// Assembles the export folder as file name → bytes: what the zip holds and what the CLI writes to disk.
import type { TensorMap } from '../hub/tensors';
import type { Architecture, HFConfig } from '../models/types';
import { buildClassifierConfig, checkLabels, configJson, ExportConfigError } from './config';
import { buildModelCard } from './model-card';
import { classifierOnnxFiles, hasOnnxExport } from './onnx/classifier';
import { PT_METADATA, streamSafetensors, writeSafetensors } from './safetensors-writer';
import type { StreamedFiles } from './streamed-file';
import { tokenizerFiles } from './tokenizer-files';
import { jsonFile, trainerState, trainingArgs } from './training-files';
import type { ExportInputs } from './types';
import { checkExportWeights } from './weights-check';

export type ExportFiles = Map<string, Uint8Array>;

export interface ModelFilesOptions {
  architecture: Architecture;
  baseConfig: HFConfig;
  labels: readonly string[];
  weights: TensorMap;
  baseModelId?: string;
}

/**
 * config.json and model.safetensors: the part of the folder `from_pretrained` reads the model from (config.json
 * alone when `withWeights` is false).
 */
export function modelFiles(options: ModelFilesOptions, withWeights = true): ExportFiles {
  const config = buildClassifierConfig(options.baseConfig, {
    architecture: options.architecture,
    labels: options.labels,
    baseModelId: options.baseModelId,
  });
  checkExportWeights(options.architecture, config, options.weights, options.labels.length);
  const files: ExportFiles = new Map([['config.json', utf8(configJson(config))]]);
  if (withWeights) files.set('model.safetensors', writeSafetensors(options.weights, PT_METADATA));
  return files;
}

/**
 * onnx/model.onnx and onnx/model_quantized.onnx, the files transformers.js and ONNX Runtime run; streamed, so
 * they are written from the weights in `options` without a copy of them.
 */
export function onnxModelFiles(options: ModelFilesOptions): StreamedFiles {
  return classifierOnnxFiles({
    architecture: options.architecture,
    config: options.baseConfig,
    weights: options.weights,
    numLabels: options.labels.length,
  });
}

/** The ONNX files of an export (see onnxModelFiles), from the same inputs as buildExportFiles. */
export function buildExportOnnxFiles(inputs: ExportInputs): StreamedFiles {
  return onnxModelFiles({
    architecture: inputs.baseModel.architecture,
    baseConfig: inputs.baseModel.config,
    labels: inputs.labels,
    weights: inputs.weights,
  });
}

/**
 * The whole folder as written to disk or into the zip: the small files as bytes, the weight files
 * (model.safetensors, onnx/) streamed from the weights, so the export holds no second copy of the model.
 */
export function buildExportFolder(inputs: ExportInputs): { files: ExportFiles; streamed: StreamedFiles } {
  const files = buildExportFiles(inputs, { weights: false });
  const streamed: StreamedFiles = new Map([
    ['model.safetensors', streamSafetensors(inputs.weights, PT_METADATA)],
  ]);
  // A decoder classifier has no ONNX graph here (noOnnxReason): its folder is the transformers one alone.
  if (hasOnnxExport(inputs.baseModel.architecture))
    for (const [name, file] of buildExportOnnxFiles(inputs)) streamed.set(name, file);
  return { files, streamed };
}

/**
 * The whole folder but the ONNX files: model, tokenizer, model card, training arguments and log history
 * (without model.safetensors when `weights` is false: buildExportFolder streams it instead).
 */
export function buildExportFiles(inputs: ExportInputs, options: { weights?: boolean } = {}): ExportFiles {
  checkInputs(inputs);
  const { baseModel } = inputs;
  const files = modelFiles(
    {
      architecture: baseModel.architecture,
      baseConfig: baseModel.config,
      labels: inputs.labels,
      weights: inputs.weights,
      baseModelId: baseModel.hubId,
    },
    options.weights ?? true,
  );
  const name = baseModel.hubId ?? baseModel.displayName;
  for (const [file, bytes] of tokenizerFiles(baseModel.files, baseModel.config, name, undefined, true))
    files.set(file, bytes);
  files.set('README.md', utf8(buildModelCard(inputs)));
  files.set('training_args.json', utf8(jsonFile(trainingArgs(inputs))));
  files.set('metrics.json', utf8(jsonFile(trainerState(inputs))));
  return files;
}

/** The figures in the card must describe the same labels, in the same order, as the model's outputs. */
function checkInputs(inputs: ExportInputs): void {
  checkLabels(inputs.labels);
  const perClass = inputs.finalEvaluation.perClass.map((c) => c.label);
  if (perClass.join('\u0000') !== inputs.labels.join('\u0000')) {
    throw new ExportConfigError(
      `the final evaluation lists the labels ${perClass.join(', ')} but the model's labels are ` +
        `${inputs.labels.join(', ')} (same labels, same order expected)`,
    );
  }
  for (const { label } of inputs.dataset.labelCounts) {
    if (!inputs.labels.includes(label)) {
      throw new ExportConfigError(
        `the dataset counts rows of label "${label}", which the model does not have`,
      );
    }
  }
  const matrix = inputs.finalEvaluation.confusionMatrix;
  if (
    matrix &&
    (matrix.length !== inputs.labels.length || matrix.some((r) => r.length !== inputs.labels.length))
  ) {
    throw new ExportConfigError(
      `the confusion matrix must be ${inputs.labels.length}×${inputs.labels.length}, one row and column per label`,
    );
  }
  const name = inputs.modelName;
  const control = [...name].some((c) => c.charCodeAt(0) < 0x20);
  if (name.trim() === '' || control || /[/\\]/.test(name) || name === '.' || name === '..') {
    throw new ExportConfigError(
      `"${inputs.modelName}" cannot name the exported folder: use a name without slashes or control characters`,
    );
  }
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
