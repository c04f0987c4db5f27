// DistilBERT, as transformers' DistilBertModel: word + position embeddings (learnt, or fixed sine/cosine with
// sinusoidal_pos_embds), no token types, LayerNorm, dropout; post-norm layers named q_lin/k_lin/v_lin/out_lin,
// sa_layer_norm, ffn.lin1/lin2, output_layer_norm. Its LayerNorm epsilon is fixed at 1e-12.
import * as tf from '@tensorflow/tfjs';

import type { EncoderDims } from './config';
import { FieldReader } from './config-fields';
import type { EncoderModel } from './encoder';
import { loadDistilBertHead } from './heads';
import { activate, additiveMask, embed, layerNorm, leadingPositions, linear, selfAttention } from './layers';
import type { EncoderDescriptor } from './registry';
import type { WeightLoader } from './weights';

/** transformers' create_sinusoidal_embeddings: sin on even columns, cos on odd ones. */
export function sinusoidalTable(positions: number, dim: number): Float32Array {
  const out = new Float32Array(positions * dim);
  for (let pos = 0; pos < positions; pos++) {
    for (let j = 0; j < dim; j++) {
      const angle = pos / Math.pow(10000, (2 * Math.floor(j / 2)) / dim);
      out[pos * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}

export function buildDistilBert(loader: WeightLoader, dims: EncoderDims, numLabels: number): EncoderModel {
  const h = dims.hiddenSize;
  const word = loader.encoder('embeddings.word_embeddings.weight', [dims.vocabSize, h]);
  const positionShape = [dims.maxPositions, h];
  const position = dims.sinusoidalPositions
    ? loader.fixed('embeddings.position_embeddings.weight', positionShape, () =>
        sinusoidalTable(dims.maxPositions, h),
      )
    : loader.encoder('embeddings.position_embeddings.weight', positionShape);
  const norm = loader.encoderNorm('embeddings.LayerNorm', h);
  const layers = Array.from({ length: dims.numLayers }, (_, i) => {
    const at = (name: string) => `transformer.layer.${i}.${name}`;
    return {
      attention: {
        query: loader.encoderDense(at('attention.q_lin'), h, h),
        key: loader.encoderDense(at('attention.k_lin'), h, h),
        value: loader.encoderDense(at('attention.v_lin'), h, h),
      },
      out: loader.encoderDense(at('attention.out_lin'), h, h),
      saNorm: loader.encoderNorm(at('sa_layer_norm'), h),
      lin1: loader.encoderDense(at('ffn.lin1'), dims.intermediateSize, h),
      lin2: loader.encoderDense(at('ffn.lin2'), h, dims.intermediateSize),
      outputNorm: loader.encoderNorm(at('output_layer_norm'), h),
    };
  });
  const head = loadDistilBertHead(loader, dims, numLabels);
  const embeddingNames = [
    'word_embeddings.weight',
    'position_embeddings.weight',
    'LayerNorm.weight',
    'LayerNorm.bias',
  ].map((n) => `distilbert.embeddings.${n}`);
  return {
    maxLength: dims.maxPositions,
    embeddingVariableNames: embeddingNames,
    headVariableNames: head.names,
    encode(inputs, dropout) {
      // DistilBERT has no token types: inputs.tokenTypeIds is ignored, as transformers has no such input.
      const length = inputs.inputIds.shape[1];
      const sum = tf.add(
        embed(word as tf.Tensor2D, inputs.inputIds),
        leadingPositions(position as tf.Tensor2D, length),
      );
      let x = dropout.apply(layerNorm(sum, norm, dims.layerNormEps), dims.hiddenDropout) as tf.Tensor3D;
      const mask = additiveMask(inputs.attentionMask);
      for (const layer of layers) {
        // DistilBERT drops attention probabilities but not the attention output before its residual.
        const context = selfAttention(
          x,
          layer.attention,
          dims.numHeads,
          mask,
          dropout,
          dims.attentionDropout,
        );
        const attended = layerNorm(tf.add(linear(context, layer.out), x), layer.saNorm, dims.layerNormEps);
        const ffn = linear(activate(linear(attended, layer.lin1), dims.activation), layer.lin2);
        x = layerNorm(
          tf.add(dropout.apply(ffn, dims.hiddenDropout), attended),
          layer.outputNorm,
          dims.layerNormEps,
        ) as tf.Tensor3D;
      }
      return { lastHiddenState: x };
    },
    classify: (encoded, dropout) => head.apply(encoded, dropout),
  };
}

export const distilBertDescriptor: EncoderDescriptor = {
  kind: 'encoder',
  modelType: 'distilbert',
  label: 'DistilBERT',
  weightPrefix: 'distilbert',
  embeddingTensor: 'embeddings.word_embeddings.weight',
  loraTargets: ['q_lin', 'v_lin'],
  parseConfig(config, where) {
    const fields = new FieldReader(config, where);
    return {
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
  },
  build: buildDistilBert,
  maxLength: (dims) => dims.maxPositions,
  tasks: {
    'sequence-classification': {
      className: 'DistilBertForSequenceClassification',
      tensors: ['pre_classifier.weight', 'pre_classifier.bias', 'classifier.weight', 'classifier.bias'],
      outLayer: 'classifier',
    },
  },
};
