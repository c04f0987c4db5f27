// A decoder (GPT-2, Llama, Qwen2) as a sequence classifier, as transformers' GPT2ForSequenceClassification and
// GenericForSequenceClassification (Llama, Qwen2) compute it: the decoder trunk of decoder.ts / the architecture
// files, a bias-free `score` Linear [numLabels, hidden] (normal(0, initializer_range) when the checkpoint lacks
// it), and the logits of each row's rightmost token that is not pad_token_id (argmax of index · (id ≠ pad), so
// the first position when a row is all padding), as transformers 5.18 pools them. Its weights carry the names
// save_pretrained writes (`transformer.h.0.…` / `model.layers.0.…`, `score.weight`), so the classification
// path (trainer, evaluation, predict, the HF export) takes it through the SequenceClassifier interface.
import * as tf from '@tensorflow/tfjs';

import type { TensorMap } from '../hub/tensors';
import { registerModelKernels } from '../kernels';
import { checkInputs, dropoutFor, type BuildOptions } from './build';
import { ModelConfigError } from './config-fields';
import { causalMask, defaultPositions } from './decoder';
import { decoderDescriptor, descriptorFor } from './registry';
import type { EncoderInputs, ForwardOptions, HFConfig, SequenceClassifier } from './types';
import { WeightLoader } from './weights';

/**
 * The pad token a decoder classifier pools by and pads with: config.json's pad_token_id, else the tokenizer's
 * pad token, else the first eos_token_id (the usual recipe, `model.config.pad_token_id = tokenizer.eos_token_id`).
 */
export function decoderPadTokenId(
  configPad: number | undefined,
  tokenizerPad: number | undefined,
  eosTokenIds: readonly number[],
): number | undefined {
  return configPad ?? tokenizerPad ?? eosTokenIds[0];
}

export function buildDecoderClassifier(
  config: HFConfig,
  weights: TensorMap,
  options: BuildOptions,
): SequenceClassifier {
  const modelName = options.modelName ?? 'this model';
  const { numLabels, seed } = options;
  const descriptor = decoderDescriptor(descriptorFor(config, modelName).modelType);
  const dims = descriptor.parseConfig(config, `${modelName} (config.json)`);
  const padTokenId = decoderPadTokenId(dims.padTokenId, options.padTokenId, dims.eosTokenIds);
  if (padTokenId === undefined) {
    throw new ModelConfigError(
      `${modelName}: a ${descriptor.label} sequence classifier needs a pad token to find each row's last token, ` +
        'but config.json has no pad_token_id or eos_token_id and the tokenizer has no pad token',
    );
  }
  if (padTokenId >= dims.vocabSize) {
    throw new ModelConfigError(
      `${modelName}: the pad token id ${padTokenId} is outside the vocabulary of ${dims.vocabSize} tokens`,
    );
  }
  registerModelKernels();
  const loader = new WeightLoader(weights, modelName, descriptor.weightPrefix, seed, dims.initializerRange);
  let body: ReturnType<typeof descriptor.build>;
  let score: tf.Variable;
  try {
    body = descriptor.build(loader, dims, { lmHead: false });
    score = loader.head('score.weight', [numLabels, dims.hiddenSize], 'normal');
    loader.registerLinear('score', { weight: score });
  } catch (err) {
    loader.dispose();
    throw err;
  }
  const maxLength = descriptor.maxLength(dims);
  // What the exported config.json says, and what batches are padded with (tasks, predict read it from here).
  const classifierConfig: HFConfig = { ...config, pad_token_id: padTokenId };

  const hidden = (inputs: EncoderInputs, options: ForwardOptions): tf.Tensor3D => {
    checkInputs(inputs, maxLength, modelName);
    const [batch, length] = inputs.inputIds.shape;
    // GPT-2's token_type_ids are not a tokenizer output in transformers (model_input_names): ignored.
    return body.run(
      inputs.inputIds,
      defaultPositions(batch, 0, length),
      causalMask(inputs.attentionMask, length),
      undefined,
      dropoutFor(options),
    );
  };

  return {
    architecture: descriptor.modelType,
    config: classifierConfig,
    numLabels,
    variables: loader.variables,
    linearModules: loader.linearModules,
    headVariableNames: ['score.weight'],
    embeddingVariableNames: body.embeddingVariableNames,
    loadReport: { initialized: [...loader.initialized], unused: loader.unused() },
    forward(inputs, options) {
      return tf.tidy(() => {
        const states = hidden(inputs, options);
        const [batch, length, h] = states.shape;
        const notPad = tf.cast(tf.notEqual(inputs.inputIds, padTokenId), 'float32');
        const index = tf.mul(tf.range(0, length, 1, 'float32').reshape([1, length]), notPad);
        const last = tf.cast(tf.argMax(index, 1), 'int32');
        const rows = tf.add(tf.mul(tf.range(0, batch, 1, 'int32'), tf.scalar(length, 'int32')), last);
        const pooled = tf.gather(tf.reshape(states, [batch * length, h]), rows) as tf.Tensor2D;
        return tf.matMul(pooled, score, false, true) as tf.Tensor2D;
      });
    },
    encode(inputs, options) {
      return tf.tidy(() => ({ lastHiddenState: hidden(inputs, options) }));
    },
    dispose() {
      this.lora?.detach();
      body.dispose?.();
      loader.dispose();
    },
  };
}
