// The sequence-classification heads transformers puts on each encoder, with its tensor names:
//   BERT:        dropout → classifier                                  (on the pooler output)
//   DistilBERT:  pre_classifier → ReLU → dropout → classifier          (on the first token)
//   RoBERTa:     dropout → classifier.dense → tanh → dropout → classifier.out_proj   (on <s>)
import * as tf from '@tensorflow/tfjs';

import type { EncoderDims } from './config';
import { type Dropout, firstToken, linear } from './layers';
import type { WeightLoader } from './weights';

export interface Encoded {
  lastHiddenState: tf.Tensor3D;
  poolerOutput?: tf.Tensor2D;
}

export interface ClassificationHead {
  /** The head's variable names, as save_pretrained writes them. */
  names: string[];
  /** Logits [batch, numLabels]. */
  apply(encoded: Encoded, dropout: Dropout): tf.Tensor2D;
}

function namesOf(...layers: string[]): string[] {
  return layers.flatMap((name) => [`${name}.weight`, `${name}.bias`]);
}

/** BertForSequenceClassification: a Linear on the pooled [CLS] output. */
export function loadBertHead(loader: WeightLoader, dims: EncoderDims, numLabels: number): ClassificationHead {
  const classifier = loader.headDense('classifier', numLabels, dims.hiddenSize);
  return {
    names: namesOf('classifier'),
    apply({ poolerOutput }, dropout) {
      if (!poolerOutput) throw new Error('internal: the BERT head needs the pooler output');
      return linear(dropout.apply(poolerOutput, dims.classifierDropout), classifier) as tf.Tensor2D;
    },
  };
}

/** DistilBertForSequenceClassification: pre_classifier + ReLU on the first token, then the classifier. */
export function loadDistilBertHead(
  loader: WeightLoader,
  dims: EncoderDims,
  numLabels: number,
): ClassificationHead {
  const preClassifier = loader.headDense('pre_classifier', dims.hiddenSize, dims.hiddenSize);
  const classifier = loader.headDense('classifier', numLabels, dims.hiddenSize);
  return {
    names: namesOf('pre_classifier', 'classifier'),
    apply({ lastHiddenState }, dropout) {
      const pooled = tf.relu(linear(firstToken(lastHiddenState), preClassifier));
      return linear(dropout.apply(pooled, dims.classifierDropout), classifier) as tf.Tensor2D;
    },
  };
}

/** RobertaClassificationHead: dense + tanh on <s>, then out_proj, with dropout before each. */
export function loadRobertaHead(
  loader: WeightLoader,
  dims: EncoderDims,
  numLabels: number,
): ClassificationHead {
  const dense = loader.headDense('classifier.dense', dims.hiddenSize, dims.hiddenSize);
  const outProj = loader.headDense('classifier.out_proj', numLabels, dims.hiddenSize);
  return {
    names: namesOf('classifier.dense', 'classifier.out_proj'),
    apply({ lastHiddenState }, dropout) {
      const first = dropout.apply(firstToken(lastHiddenState), dims.classifierDropout);
      const hidden = dropout.apply(tf.tanh(linear(first, dense)), dims.classifierDropout);
      return linear(hidden, outProj) as tf.Tensor2D;
    },
  };
}
