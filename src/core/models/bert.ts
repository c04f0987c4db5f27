// BERT (and MiniLM and other model_type "bert" checkpoints), as transformers' BertModel: word + position +
// token-type embeddings, LayerNorm, dropout; post-norm encoder layers; the pooler (dense + tanh on [CLS]).
// The embedding sum and the encoder layers are shared with RoBERTa, which differs in positions and head.
import * as tf from '@tensorflow/tfjs';

import type { EncoderDims } from './config';
import { FieldReader, ModelConfigError } from './config-fields';
import type { EncoderModel } from './encoder';
import { loadBertHead } from './heads';
import {
  type AttentionWeights,
  type Dense,
  type Dropout,
  type Norm,
  activate,
  additiveMask,
  embed,
  firstToken,
  layerNorm,
  leadingPositions,
  linear,
  selfAttention,
} from './layers';
import type { EncoderDescriptor } from './registry';
import type { HFConfig } from './types';
import type { WeightLoader } from './weights';

export interface BertEmbeddings {
  word: tf.Variable;
  position: tf.Variable;
  tokenType: tf.Variable;
  norm: Norm;
  names: string[];
}

export interface BertLayer {
  attention: AttentionWeights;
  attentionOutput: Dense;
  attentionNorm: Norm;
  intermediate: Dense;
  output: Dense;
  outputNorm: Norm;
}

export function loadBertEmbeddings(loader: WeightLoader, dims: EncoderDims): BertEmbeddings {
  const h = dims.hiddenSize;
  const names = ['word_embeddings', 'position_embeddings', 'token_type_embeddings'].map(
    (n) => `embeddings.${n}.weight`,
  );
  const [word, position, tokenType] = [
    loader.encoder(names[0]!, [dims.vocabSize, h]),
    loader.encoder(names[1]!, [dims.maxPositions, h]),
    loader.encoder(names[2]!, [dims.typeVocabSize, h]),
  ];
  const norm = loader.encoderNorm('embeddings.LayerNorm', h);
  return {
    word,
    position,
    tokenType,
    norm,
    names: [...names, 'embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias'].map(
      (n) => `${dims.architecture}.${n}`,
    ),
  };
}

export function loadBertLayers(loader: WeightLoader, dims: EncoderDims): BertLayer[] {
  const h = dims.hiddenSize;
  return Array.from({ length: dims.numLayers }, (_, i) => {
    const at = (name: string) => `encoder.layer.${i}.${name}`;
    return {
      attention: {
        query: loader.encoderDense(at('attention.self.query'), h, h),
        key: loader.encoderDense(at('attention.self.key'), h, h),
        value: loader.encoderDense(at('attention.self.value'), h, h),
      },
      attentionOutput: loader.encoderDense(at('attention.output.dense'), h, h),
      attentionNorm: loader.encoderNorm(at('attention.output.LayerNorm'), h),
      intermediate: loader.encoderDense(at('intermediate.dense'), dims.intermediateSize, h),
      output: loader.encoderDense(at('output.dense'), h, dims.intermediateSize),
      outputNorm: loader.encoderNorm(at('output.LayerNorm'), h),
    };
  });
}

/**
 * LayerNorm(word + position + token type), then dropout. `positions` is either position ids [batch, length]
 * (RoBERTa) or null for 0…length-1 (BERT); missing token types are type 0.
 */
export function bertEmbeddingOutput(
  emb: BertEmbeddings,
  dims: EncoderDims,
  inputIds: tf.Tensor2D,
  positions: tf.Tensor2D | null,
  tokenTypeIds: tf.Tensor2D | undefined,
  dropout: Dropout,
): tf.Tensor3D {
  const length = inputIds.shape[1];
  const word = embed(emb.word as tf.Tensor2D, inputIds);
  const position = positions
    ? embed(emb.position as tf.Tensor2D, positions)
    : leadingPositions(emb.position as tf.Tensor2D, length);
  const tokenType = tokenTypeIds
    ? embed(emb.tokenType as tf.Tensor2D, tokenTypeIds)
    : leadingPositions(emb.tokenType as tf.Tensor2D, 1);
  const sum = tf.add(tf.add(word, tokenType), position);
  return dropout.apply(layerNorm(sum, emb.norm, dims.layerNormEps), dims.hiddenDropout) as tf.Tensor3D;
}

/** The post-norm encoder stack BERT and RoBERTa share. */
export function runBertLayers(
  hidden: tf.Tensor3D,
  layers: BertLayer[],
  dims: EncoderDims,
  attentionMask: tf.Tensor2D,
  dropout: Dropout,
): tf.Tensor3D {
  const mask = additiveMask(attentionMask);
  let x = hidden;
  for (const layer of layers) {
    const context = selfAttention(x, layer.attention, dims.numHeads, mask, dropout, dims.attentionDropout);
    const attended = layerNorm(
      tf.add(dropout.apply(linear(context, layer.attentionOutput), dims.hiddenDropout), x),
      layer.attentionNorm,
      dims.layerNormEps,
    );
    const inner = activate(linear(attended, layer.intermediate), dims.activation);
    x = layerNorm(
      tf.add(dropout.apply(linear(inner, layer.output), dims.hiddenDropout), attended),
      layer.outputNorm,
      dims.layerNormEps,
    ) as tf.Tensor3D;
  }
  return x;
}

export function buildBert(loader: WeightLoader, dims: EncoderDims, numLabels: number): EncoderModel {
  const embeddings = loadBertEmbeddings(loader, dims);
  const layers = loadBertLayers(loader, dims);
  // transformers initialises a pooler that a checkpoint lacks (some are saved without one).
  const pooler: Dense = loader.registerLinear('bert.pooler.dense', {
    weight: loader.encoderOrInit('pooler.dense.weight', [dims.hiddenSize, dims.hiddenSize], 'normal'),
    bias: loader.encoderOrInit('pooler.dense.bias', [dims.hiddenSize], 'zeros'),
  });
  const head = loadBertHead(loader, dims, numLabels);
  // With a one-row token-type table (some BERT checkpoints), every token is type 0: a pair's type-1 ids would
  // index past the table (an error in transformers, garbage on webgpu), so they are not looked up.
  const useTokenTypes = dims.typeVocabSize > 1;
  return {
    maxLength: dims.maxPositions,
    embeddingVariableNames: embeddings.names,
    headVariableNames: head.names,
    encode(inputs, dropout) {
      const x = bertEmbeddingOutput(
        embeddings,
        dims,
        inputs.inputIds,
        null,
        useTokenTypes ? inputs.tokenTypeIds : undefined,
        dropout,
      );
      const lastHiddenState = runBertLayers(x, layers, dims, inputs.attentionMask, dropout);
      const poolerOutput = tf.tanh(linear(firstToken(lastHiddenState), pooler)) as tf.Tensor2D;
      return { lastHiddenState, poolerOutput };
    },
    classify: (encoded, dropout) => head.apply(encoded, dropout),
  };
}

/** BERT's and RoBERTa's config.json fields, with their transformers defaults (which differ between the two). */
export function parseBertFamilyConfig(
  config: HFConfig,
  where: string,
  type: 'bert' | 'roberta',
): EncoderDims {
  const fields = new FieldReader(config, where);
  const roberta = type === 'roberta';
  const positionType = fields.string('position_embedding_type', 'absolute');
  if (positionType !== 'absolute') {
    throw new ModelConfigError(
      `${where} has position_embedding_type "${positionType}"; only "absolute" position embeddings are supported`,
    );
  }
  const hiddenDropout = fields.probability('hidden_dropout_prob', 0.1);
  return {
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
}

export const bertDescriptor: EncoderDescriptor = {
  kind: 'encoder',
  modelType: 'bert',
  label: 'BERT',
  weightPrefix: 'bert',
  embeddingTensor: 'embeddings.word_embeddings.weight',
  loraTargets: ['query', 'value'],
  parseConfig: (config, where) => parseBertFamilyConfig(config, where, 'bert'),
  build: buildBert,
  maxLength: (dims) => dims.maxPositions,
  tasks: {
    'sequence-classification': {
      className: 'BertForSequenceClassification',
      tensors: ['classifier.weight', 'classifier.bias'],
      outLayer: 'classifier',
    },
  },
};
