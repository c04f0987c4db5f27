// A tiny but real tfjs SequenceClassifier for the trainer's tests: embedding, masked mean pooling, a dense
// tanh layer with dropout, a LayerNorm-named scale, and a linear head. Learns a toy token-bag task in seconds.
import * as tf from '@tensorflow/tfjs';

import type { EncoderInputs, ForwardOptions, SequenceClassifier } from '../../src/core/models/types';
import type { TokenizedExample } from '../../src/core/train/batching';
import { createRng } from '../../src/core/random';

let instances = 0;

/** A trainable variable from a tensor, freeing the tensor (the variable keeps its own handle on the data). */
function owned(initial: tf.Tensor, name: string): tf.Variable {
  const v = tf.variable(initial, true, name);
  initial.dispose();
  return v;
}

export interface ToyOptions {
  vocabSize?: number;
  hidden?: number;
  numLabels?: number;
  dropout?: number;
  seed?: number;
}

export function createToyClassifier(options: ToyOptions = {}): SequenceClassifier {
  const { vocabSize = 32, hidden = 8, numLabels = 2, dropout = 0.1, seed = 1 } = options;
  const rng = createRng(seed);
  const id = instances++;
  const normal = (shape: number[], std: number): tf.Variable => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, () => rng.nextGaussian() * std);
    return owned(tf.tensor(data, shape), `toy${id}/${names.length}`);
  };
  const names: string[] = [];
  const variables = new Map<string, tf.Variable>();
  const add = (name: string, v: tf.Variable | (() => tf.Variable)): void => {
    variables.set(name, typeof v === 'function' ? v() : v);
    names.push(name);
  };
  add('embeddings.word_embeddings.weight', () => normal([vocabSize, hidden], 0.5));
  add('pre_classifier.weight', () => normal([hidden, hidden], 0.5));
  add('pre_classifier.bias', () => normal([hidden], 0.1));
  add('pre_classifier.LayerNorm.weight', () => owned(tf.ones([hidden]), `toy${id}/ln`));
  add('classifier.weight', () => normal([numLabels, hidden], 0.1));
  add('classifier.bias', () => owned(tf.zeros([numLabels]), `toy${id}/cb`));
  const get = (name: string): tf.Variable => variables.get(name) as tf.Variable;

  const pooled = (inputs: EncoderInputs): tf.Tensor2D =>
    tf.tidy(() => {
      const emb = tf.gather(get('embeddings.word_embeddings.weight'), inputs.inputIds); // [b, l, h]
      const mask = inputs.attentionMask.toFloat(); // [b, l]
      // Count along the innermost axis: on webgpu, reducing a non-innermost axis of a tensor cast from int32
      // builds a transpose shader that fails to compile (tfjs 4.22).
      return emb.mul(mask.expandDims(2)).sum(1).div(mask.sum(1, true)) as tf.Tensor2D;
    });

  return {
    architecture: 'bert',
    config: { model_type: 'toy', vocab_size: vocabSize, max_position_embeddings: 512, pad_token_id: 0 },
    numLabels,
    variables,
    headVariableNames: ['classifier.weight', 'classifier.bias'],
    embeddingVariableNames: ['embeddings.word_embeddings.weight'],
    forward(inputs: EncoderInputs, options: ForwardOptions): tf.Tensor2D {
      return tf.tidy(() => {
        let h = tf
          .matMul(pooled(inputs), get('pre_classifier.weight'), false, true)
          .add(get('pre_classifier.bias'))
          .tanh()
          .mul(get('pre_classifier.LayerNorm.weight')) as tf.Tensor2D;
        if (options.training && dropout > 0)
          h = tf.dropout(h, dropout, undefined, options.dropoutSeed) as tf.Tensor2D;
        return tf.matMul(h, get('classifier.weight'), false, true).add(get('classifier.bias')) as tf.Tensor2D;
      });
    },
    encode(inputs: EncoderInputs) {
      return {
        lastHiddenState: tf.gather(get('embeddings.word_embeddings.weight'), inputs.inputIds) as tf.Tensor3D,
      };
    },
    dispose() {
      for (const v of variables.values()) v.dispose();
    },
  };
}

/**
 * A separable toy task: class c draws most of its tokens from its own band of the vocabulary, plus shared
 * noise tokens; lengths vary so padding and length grouping matter.
 */
export function toyDataset(count: number, seed: number, numLabels = 2, vocabSize = 32): TokenizedExample[] {
  const rng = createRng(seed);
  const band = Math.floor((vocabSize - 4) / numLabels);
  return Array.from({ length: count }, () => {
    const label = rng.nextInt(numLabels);
    const length = 3 + rng.nextInt(8);
    const inputIds = Array.from({ length }, () =>
      rng.next() < 0.6 ? 4 + label * band + rng.nextInt(band) : 4 + rng.nextInt(numLabels * band),
    );
    return { inputIds, attentionMask: inputIds.map(() => 1), label };
  });
}
