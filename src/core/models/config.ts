// Reads a Hugging Face config.json into the dimensions WebTune's encoders need, with transformers' class
// defaults for fields a config leaves out, and refuses what the engine cannot build with a message that names
// the model, the field and what is supported.
import type { Architecture, HFConfig } from './types';

export const SUPPORTED_MODEL_TYPES: readonly Architecture[] = ['bert', 'distilbert', 'roberta'];

/** Activations the encoders implement, by the names transformers' configs use. */
export const SUPPORTED_ACTIVATIONS = [
  'gelu',
  'gelu_new',
  'gelu_pytorch_tanh',
  'gelu_fast',
  'quick_gelu',
  'relu',
  'silu',
  'swish',
  'tanh',
] as const;
export type ActivationName = (typeof SUPPORTED_ACTIVATIONS)[number];

/** Everything an encoder and its classification head are built from, in one vocabulary for all three. */
export interface EncoderDims {
  architecture: Architecture;
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

export class ModelConfigError extends Error {
  override name = 'ModelConfigError';
}

const SUPPORTED_LIST = 'bert (BERT, MiniLM and other model_type "bert" checkpoints), distilbert, roberta';

/**
 * Validates `config` and returns its dimensions. `modelName` (a Hub id or a folder) only makes messages
 * specific. Throws `ModelConfigError` for an unsupported model_type or a config that cannot be built.
 */
export function parseConfig(config: HFConfig, modelName = 'this model'): EncoderDims {
  const where = `${modelName} (config.json)`;
  if (typeof config !== 'object' || config === null) {
    throw new ModelConfigError(`${where} is not a JSON object`);
  }
  const type = config.model_type;
  if (typeof type !== 'string' || type.length === 0) {
    throw new ModelConfigError(`${where} has no model_type; WebTune supports ${SUPPORTED_LIST}`);
  }
  const fields = new FieldReader(config, where);
  let dims: EncoderDims;
  if (type === 'bert' || type === 'roberta') {
    const roberta = type === 'roberta';
    const positionType = fields.string('position_embedding_type', 'absolute');
    if (positionType !== 'absolute') {
      throw new ModelConfigError(
        `${where} has position_embedding_type "${positionType}"; only "absolute" position embeddings are supported`,
      );
    }
    const hiddenDropout = fields.probability('hidden_dropout_prob', 0.1);
    dims = {
      architecture: type,
      vocabSize: fields.positiveInt('vocab_size', roberta ? 50265 : 30522),
      hiddenSize: fields.positiveInt('hidden_size', 768),
      numLayers: fields.positiveInt('num_hidden_layers', 12),
      numHeads: fields.positiveInt('num_attention_heads', 12),
      intermediateSize: fields.positiveInt('intermediate_size', 3072),
      activation: fields.activation('hidden_act'),
      maxPositions: fields.positiveInt('max_position_embeddings', roberta ? 514 : 512),
      typeVocabSize: fields.positiveInt('type_vocab_size', roberta ? 1 : 2),
      layerNormEps: fields.positiveNumber('layer_norm_eps', 1e-12),
      initializerRange: fields.positiveNumber('initializer_range', 0.02),
      hiddenDropout,
      attentionDropout: fields.probability('attention_probs_dropout_prob', 0.1),
      // transformers: classifier_dropout when set, else hidden_dropout_prob.
      classifierDropout: fields.probability('classifier_dropout', hiddenDropout),
      padTokenId: fields.nonNegativeInt('pad_token_id', roberta ? 1 : 0),
      sinusoidalPositions: false,
    };
    if (roberta && dims.maxPositions <= dims.padTokenId + 1) {
      throw new ModelConfigError(
        `${where} has max_position_embeddings ${dims.maxPositions}, too few for RoBERTa positions that start ` +
          `after pad_token_id ${dims.padTokenId}`,
      );
    }
  } else if (type === 'distilbert') {
    dims = {
      architecture: 'distilbert',
      vocabSize: fields.positiveInt('vocab_size', 30522),
      hiddenSize: fields.positiveInt('dim', 768),
      numLayers: fields.positiveInt('n_layers', 6),
      numHeads: fields.positiveInt('n_heads', 12),
      intermediateSize: fields.positiveInt('hidden_dim', 3072),
      activation: fields.activation('activation'),
      maxPositions: fields.positiveInt('max_position_embeddings', 512),
      typeVocabSize: 0,
      // DistilBERT's layer norms use a fixed epsilon; its config has no field for it.
      layerNormEps: 1e-12,
      initializerRange: fields.positiveNumber('initializer_range', 0.02),
      hiddenDropout: fields.probability('dropout', 0.1),
      attentionDropout: fields.probability('attention_dropout', 0.1),
      classifierDropout: fields.probability('seq_classif_dropout', 0.2),
      padTokenId: fields.nonNegativeInt('pad_token_id', 0),
      sinusoidalPositions: fields.boolean('sinusoidal_pos_embds', false),
    };
  } else {
    throw new ModelConfigError(
      `${modelName} has model_type "${type}", which WebTune cannot build; supported: ${SUPPORTED_LIST}`,
    );
  }
  if (dims.hiddenSize % dims.numHeads !== 0) {
    throw new ModelConfigError(
      `${where}: the hidden size ${dims.hiddenSize} is not a multiple of the ${dims.numHeads} attention heads`,
    );
  }
  return dims;
}

/** Reads typed fields with transformers' defaults and names the field and its value when it is wrong. */
class FieldReader {
  constructor(
    private readonly config: HFConfig,
    private readonly where: string,
  ) {}

  private raw(key: string): unknown {
    return this.config[key];
  }

  private fail(key: string, expected: string): never {
    throw new ModelConfigError(
      `${this.where} has ${key} = ${JSON.stringify(this.raw(key))}; expected ${expected}`,
    );
  }

  number(key: string, fallback: number): number {
    const value = this.raw(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(key, 'a number');
    return value;
  }

  positiveInt(key: string, fallback: number): number {
    const value = this.number(key, fallback);
    if (!Number.isInteger(value) || value <= 0) this.fail(key, 'a positive integer');
    return value;
  }

  nonNegativeInt(key: string, fallback: number): number {
    const value = this.number(key, fallback);
    if (!Number.isInteger(value) || value < 0) this.fail(key, 'a non-negative integer');
    return value;
  }

  positiveNumber(key: string, fallback: number): number {
    const value = this.number(key, fallback);
    if (value <= 0) this.fail(key, 'a positive number');
    return value;
  }

  probability(key: string, fallback: number): number {
    const value = this.number(key, fallback);
    if (value < 0 || value >= 1) this.fail(key, 'a probability in [0, 1)');
    return value;
  }

  string(key: string, fallback: string): string {
    const value = this.raw(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string') this.fail(key, 'a string');
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') this.fail(key, 'true or false');
    return value;
  }

  activation(key: string): ActivationName {
    const value = this.string(key, 'gelu');
    if (!(SUPPORTED_ACTIVATIONS as readonly string[]).includes(value)) {
      this.fail(key, `one of ${SUPPORTED_ACTIVATIONS.join(', ')}`);
    }
    return value as ActivationName;
  }
}

/** The longest input the position embeddings allow: RoBERTa's positions start after the padding index. */
export function usablePositions(dims: EncoderDims): number {
  return dims.architecture === 'roberta' ? dims.maxPositions - dims.padTokenId - 1 : dims.maxPositions;
}
