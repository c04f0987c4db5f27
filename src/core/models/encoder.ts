// What each architecture file (bert.ts, distilbert.ts, roberta.ts) hands to build.ts.
import type * as tf from '@tensorflow/tfjs';

import type { Encoded } from './heads';
import type { Dropout } from './layers';
import type { EncoderInputs } from './types';

export interface EncoderModel {
  /** last_hidden_state (and BERT's pooler_output) for a batch. */
  encode(inputs: EncoderInputs, dropout: Dropout): Encoded;
  /** Logits [batch, numLabels] from the encoder's output. */
  classify(encoded: Encoded, dropout: Dropout): tf.Tensor2D;
  /** The longest sequence the position embeddings allow. */
  maxLength: number;
  embeddingVariableNames: string[];
  headVariableNames: string[];
}
