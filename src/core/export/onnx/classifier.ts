// The export's ONNX files for a sequence classifier: onnx/model.onnx (float32) and onnx/model_quantized.onnx
// (8-bit weights, dynamic activations), the two files transformers.js loads (v2 the quantised one by default,
// v3 by dtype). Both come from the same builder per architecture (core/models/*-onnx.ts).
import type { TensorMap } from '../../hub/tensors';
import { buildBertOnnx } from '../../models/bert-onnx';
import { parseConfig } from '../../models/config';
import { buildDistilBertOnnx } from '../../models/distilbert-onnx';
import { type OnnxBuild, type OnnxPrecision, OnnxWeightReader } from '../../models/layers-onnx';
import { buildRobertaOnnx } from '../../models/roberta-onnx';
import type { Architecture, EncoderArchitecture, HFConfig } from '../../models/types';
import type { StreamedFile, StreamedFiles } from '../streamed-file';
import { WEBTUNE_VERSION } from '../version';
import { float32Precision } from './float32';
import { OnnxGraph } from './graph';
import { int8Precision } from './quantize';
import { serializeOnnx } from './serialize';

/** Opset 14, optimum's default for these encoders: everything here exists in it and every consumer runs it. */
export const ONNX_OPSET = 14;

export const ONNX_MODEL = 'onnx/model.onnx';
export const ONNX_MODEL_QUANTIZED = 'onnx/model_quantized.onnx';

const BUILDERS: Record<EncoderArchitecture, (b: OnnxBuild, numLabels: number) => void> = {
  bert: buildBertOnnx,
  distilbert: buildDistilBertOnnx,
  roberta: buildRobertaOnnx,
};

export interface ClassifierOnnxOptions {
  architecture: Architecture;
  config: HFConfig;
  weights: TensorMap;
  numLabels: number;
}

/** The architectures whose classifiers have an ONNX graph here (core/models/*-onnx.ts): the encoders. */
export function hasOnnxExport(architecture: Architecture): architecture is EncoderArchitecture {
  return Object.hasOwn(BUILDERS, architecture);
}

/** Why a classifier of that architecture gets no ONNX files, for messages and the model card. */
export function noOnnxReason(architecture: Architecture): string {
  return (
    `WebTune builds the ONNX files (onnx/model.onnx for transformers.js) for encoder classifiers only ` +
    `(${Object.keys(BUILDERS).join(', ')}); a ${architecture} sequence classifier has none: load its ` +
    `model.safetensors with transformers, or make ONNX files with optimum (optimum-cli export onnx --task text-classification)`
  );
}

export class OnnxExportError extends Error {
  override name = 'OnnxExportError';
}

export function classifierOnnx(options: ClassifierOnnxOptions, precision: OnnxPrecision): StreamedFile {
  if (!hasOnnxExport(options.architecture)) throw new OnnxExportError(noOnnxReason(options.architecture));
  const dims = parseConfig(options.config);
  if (dims.architecture !== options.architecture) {
    throw new Error(`the config is ${dims.architecture} but the model is ${options.architecture}`);
  }
  const g = new OnnxGraph(`${options.architecture}_for_sequence_classification`);
  BUILDERS[dims.architecture](
    { g, weights: new OnnxWeightReader(options.weights), precision, dims },
    options.numLabels,
  );
  return serializeOnnx(g, {
    opsetVersion: ONNX_OPSET,
    producerName: 'webtune',
    producerVersion: WEBTUNE_VERSION,
  });
}

/** Both ONNX files, by their path in the export folder. */
export function classifierOnnxFiles(options: ClassifierOnnxOptions): StreamedFiles {
  return new Map([
    [ONNX_MODEL, classifierOnnx(options, float32Precision)],
    [ONNX_MODEL_QUANTIZED, classifierOnnx(options, int8Precision)],
  ]);
}
