// RoBERTa, as transformers' RobertaModel without its pooler (RobertaForSequenceClassification has none):
// BERT's embeddings and layers, but position ids counted over non-padding tokens from padding_idx + 1
// (create_position_ids_from_input_ids), token type 0 everywhere, and the dense + tanh + out_proj head.
import * as tf from '@tensorflow/tfjs';

import {
  bertEmbeddingOutput,
  loadBertEmbeddings,
  loadBertLayers,
  parseBertFamilyConfig,
  runBertLayers,
} from './bert';
import { ModelConfigError } from './config-fields';
import type { EncoderDims } from './config';
import type { EncoderModel } from './encoder';
import { loadRobertaHead } from './heads';
import type { EncoderDescriptor } from './registry';
import type { WeightLoader } from './weights';

/**
 * position_ids = cumsum(input_ids != pad) * (input_ids != pad) + pad: padding tokens sit at `pad`, the rest
 * count up from pad + 1. Integer bookkeeping, outside the gradient path; float32 is exact for these counts.
 */
export function robertaPositionIds(inputIds: tf.Tensor2D, padTokenId: number): tf.Tensor2D {
  const notPad = tf.cast(tf.notEqual(inputIds, padTokenId), 'float32');
  const positions = tf.add(tf.mul(tf.cumsum(notPad, 1), notPad), padTokenId);
  return tf.cast(positions, 'int32') as tf.Tensor2D;
}

export function buildRoberta(loader: WeightLoader, dims: EncoderDims, numLabels: number): EncoderModel {
  const embeddings = loadBertEmbeddings(loader, dims);
  const layers = loadBertLayers(loader, dims);
  const head = loadRobertaHead(loader, dims, numLabels);
  return {
    maxLength: robertaMaxLength(dims),
    embeddingVariableNames: embeddings.names,
    headVariableNames: head.names,
    encode(inputs, dropout) {
      const positions = robertaPositionIds(inputs.inputIds, dims.padTokenId);
      const x = bertEmbeddingOutput(embeddings, dims, inputs.inputIds, positions, undefined, dropout);
      return { lastHiddenState: runBertLayers(x, layers, dims, inputs.attentionMask, dropout) };
    },
    classify: (encoded, dropout) => head.apply(encoded, dropout),
  };
}

/** RoBERTa's positions start after the padding index, so the last pad_token_id + 1 rows are never reached. */
function robertaMaxLength(dims: EncoderDims): number {
  return dims.maxPositions - dims.padTokenId - 1;
}

export const robertaDescriptor: EncoderDescriptor = {
  kind: 'encoder',
  modelType: 'roberta',
  label: 'RoBERTa',
  weightPrefix: 'roberta',
  embeddingTensor: 'embeddings.word_embeddings.weight',
  loraTargets: ['query', 'value'],
  parseConfig(config, where) {
    const dims = parseBertFamilyConfig(config, where, 'roberta');
    if (dims.maxPositions <= dims.padTokenId + 1) {
      throw new ModelConfigError(
        `${where} has max_position_embeddings ${dims.maxPositions}, too few for RoBERTa positions that start ` +
          `after pad_token_id ${dims.padTokenId}`,
      );
    }
    return dims;
  },
  build: buildRoberta,
  maxLength: robertaMaxLength,
  tasks: {
    'sequence-classification': {
      className: 'RobertaForSequenceClassification',
      tensors: [
        'classifier.dense.weight',
        'classifier.dense.bias',
        'classifier.out_proj.weight',
        'classifier.out_proj.bias',
      ],
      outLayer: 'classifier.out_proj',
    },
  },
};
