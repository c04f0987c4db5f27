// Reads a Hugging Face config.json into the dimensions WebTune's encoders need. Which fields an architecture
// has, and their transformers defaults, live in its descriptor (registry.ts); this file is the encoders' entry
// point and refuses what cannot be a sequence classifier with a message that names the model and the field.
import { ModelConfigError } from './config-fields';
import { describeSupported, descriptorFor, encoderDescriptor } from './registry';
import type { EncoderArchitecture } from './types';
import type { ActivationName } from './config-fields';
import type { HFConfig } from './types';

export { ModelConfigError, SUPPORTED_ACTIVATIONS, type ActivationName } from './config-fields';

/** Everything an encoder and its classification head are built from, in one vocabulary for all three. */
export interface EncoderDims {
  architecture: EncoderArchitecture;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  activation: ActivationName;
  maxPositions: number;
  /** 0 for DistilBERT, which has no token type embeddings. */
  typeVocabSize: number;
  layerNormEps: number;
  initializerRange: number;
  /** Dropout on embeddings and on each sub-layer's output. */
  hiddenDropout: number;
  /** Dropout on attention probabilities. */
  attentionDropout: number;
  /** Dropout in the classification head. */
  classifierDropout: number;
  padTokenId: number;
  /** DistilBERT: fixed sine/cosine position embeddings (not trained). */
  sinusoidalPositions: boolean;
}

/**
 * Validates `config` as an encoder's and returns its dimensions. `modelName` (a Hub id or a folder) only makes
 * messages specific. Throws `ModelConfigError` for an unsupported model_type, a decoder (which generates text
 * rather than classifying), or a config that cannot be built.
 */
export function parseConfig(config: HFConfig, modelName = 'this model'): EncoderDims {
  const descriptor = descriptorFor(config, modelName);
  if (descriptor.kind !== 'encoder') {
    throw new ModelConfigError(
      `${modelName} is a ${descriptor.label} causal language model (${descriptor.tasks['causal-lm'].className}), ` +
        `not an encoder (${describeSupported('encoder')}): as a sequence classifier it is a ` +
        `${descriptor.tasks['sequence-classification'].className} (buildClassifier), without encoder dimensions`,
    );
  }
  const dims = descriptor.parseConfig(config, `${modelName} (config.json)`);
  if (dims.hiddenSize % dims.numHeads !== 0) {
    throw new ModelConfigError(
      `${modelName} (config.json): the hidden size ${dims.hiddenSize} is not a multiple of the ${dims.numHeads} attention heads`,
    );
  }
  return dims;
}

/** The longest input the position embeddings allow: RoBERTa's positions start after the padding index. */
export function usablePositions(dims: EncoderDims): number {
  return encoderDescriptor(dims.architecture).maxLength(dims);
}
