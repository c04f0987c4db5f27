// Builds a trainable sequence classifier from a Hugging Face config.json and a checkpoint's tensors.
import * as tf from '@tensorflow/tfjs';

import type { TensorMap } from '../hub/tensors';
import { registerModelKernels } from '../kernels';
import { ModelConfigError, parseConfig } from './config';
import type { EncoderModel } from './encoder';
import { Dropout } from './layers';
import { buildDecoderClassifier } from './decoder-classifier';
import { descriptorFor, encoderDescriptor } from './registry';
import type { EncoderInputs, ForwardOptions, HFConfig, SequenceClassifier } from './types';
import { WeightLoader } from './weights';

export interface BuildOptions {
  /** The number of classes of the task (the head is re-initialised when the checkpoint's differs). */
  numLabels: number;
  /** Seed for the weights the checkpoint does not provide (a new head), as from_pretrained initialises them. */
  seed: number;
  /** A Hub id or folder name, only for error messages. */
  modelName?: string;
  /**
   * A decoder only: the tokenizer's pad token id, used when config.json has no pad_token_id (else eos is).
   * Encoders pad with config.json's pad_token_id.
   */
  padTokenId?: number;
}

export class ModelInputError extends Error {
  override name = 'ModelInputError';
}

/**
 * A classifier whose weights are tf.Variables named as save_pretrained names them for
 * *ForSequenceClassification. `weights` may be a bare encoder, an MLM checkpoint (its head ignored) or a
 * sequence classifier (its head reused when its label count matches), with or without the model prefix. A
 * decoder (GPT-2, Llama, Qwen2: a causal LM or a *ForSequenceClassification checkpoint) gets transformers'
 * *ForSequenceClassification head, a `score` on each row's last non-padding token (decoder-classifier.ts).
 * Throws ModelConfigError for a config it cannot build and CheckpointError for missing or misshapen weights.
 */
export function buildClassifier(
  config: HFConfig,
  weights: TensorMap,
  options: BuildOptions,
): SequenceClassifier {
  const modelName = options.modelName ?? 'this model';
  const { numLabels, seed } = options;
  if (!Number.isInteger(numLabels) || numLabels < 1) {
    throw new ModelConfigError(`${modelName}: numLabels must be a positive integer, got ${numLabels}`);
  }
  // A decoder classifies through its own trunk and a `score` on the last token (decoder-classifier.ts).
  if (descriptorFor(config, modelName).kind === 'decoder')
    return buildDecoderClassifier(config, weights, options);
  const dims = parseConfig(config, modelName);
  // Embedding gradients need UnsortedSegmentSum, which the wasm backend lacks; dropout masks come from ours.
  registerModelKernels();
  const descriptor = encoderDescriptor(dims.architecture);
  const loader = new WeightLoader(weights, modelName, descriptor.weightPrefix, seed, dims.initializerRange);
  let model: EncoderModel;
  try {
    model = descriptor.build(loader, dims, numLabels);
  } catch (err) {
    loader.dispose();
    throw err;
  }
  const check = (inputs: EncoderInputs) => checkInputs(inputs, model.maxLength, modelName);
  return {
    architecture: dims.architecture,
    config,
    numLabels,
    variables: loader.variables,
    linearModules: loader.linearModules,
    headVariableNames: model.headVariableNames,
    embeddingVariableNames: model.embeddingVariableNames,
    loadReport: { initialized: [...loader.initialized], unused: loader.unused() },
    forward(inputs: EncoderInputs, options: ForwardOptions): tf.Tensor2D {
      check(inputs);
      return tf.tidy(() => {
        const dropout = dropoutFor(options);
        return model.classify(model.encode(inputs, dropout), dropout);
      });
    },
    encode(inputs: EncoderInputs, options: ForwardOptions) {
      check(inputs);
      return tf.tidy(() => {
        const { lastHiddenState, poolerOutput } = model.encode(inputs, dropoutFor(options));
        return poolerOutput ? { lastHiddenState, poolerOutput } : { lastHiddenState };
      });
    },
    dispose() {
      this.lora?.detach();
      loader.dispose();
    },
  };
}

export function dropoutFor(options: ForwardOptions): Dropout {
  const seed = options.dropoutSeed ?? Math.floor(Math.random() * 2 ** 32);
  return new Dropout(options.training, seed);
}

/** Shapes and dtypes of a classification batch, and its length against the model's positions. */
export function checkInputs(inputs: EncoderInputs, maxLength: number, modelName: string): void {
  const { inputIds, attentionMask, tokenTypeIds } = inputs;
  if (inputIds.rank !== 2 || inputIds.dtype !== 'int32') {
    throw new ModelInputError(
      `${modelName}: input ids must be an int32 tensor [batch, length], got ${inputIds.dtype} [${inputIds.shape.join(', ')}]`,
    );
  }
  const [batch, length] = inputIds.shape;
  for (const [name, t] of [
    ['attention mask', attentionMask],
    ['token type ids', tokenTypeIds],
  ] as const) {
    if (t && (t.rank !== 2 || t.shape[0] !== batch || t.shape[1] !== length)) {
      throw new ModelInputError(
        `${modelName}: the ${name} have shape [${t.shape.join(', ')}] but the input ids have [${batch}, ${length}]`,
      );
    }
  }
  if (tokenTypeIds && tokenTypeIds.dtype !== 'int32') {
    throw new ModelInputError(`${modelName}: token type ids must be int32, got ${tokenTypeIds.dtype}`);
  }
  if (batch === 0 || length === 0) throw new ModelInputError(`${modelName}: the batch is empty`);
  if (length > maxLength) {
    throw new ModelInputError(
      `${modelName}: sequences of ${length} tokens are longer than the model's ${maxLength} positions; truncate them`,
    );
  }
}
