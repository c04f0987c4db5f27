// Builds a causal language model (GPT2LMHeadModel, LlamaForCausalLM, Qwen2ForCausalLM) from a Hugging Face
// config.json and a checkpoint's tensors: every weight a tf.Variable under its transformers name, the lm_head,
// the forward pass (with an optional KV cache) and transformers' causal-LM loss.
import * as tf from '@tensorflow/tfjs';

import type { TensorMap } from '../hub/tensors';
import { registerModelKernels } from '../kernels';
import { tokenCrossEntropy } from '../kernels/fused-ops';
import { dropoutFor, ModelInputError } from './build';
import { ModelConfigError } from './config-fields';
import { causalMask, defaultPositions, KVCache, matMulTransposed, type DecoderDims } from './decoder';
import { descriptorFor, describeSupported, type DecoderDescriptor } from './registry';
import type { DecoderArchitecture, ForwardOptions, HFConfig } from './types';
import { WeightLoader } from './weights';
import type { LinearModule } from './layers';
import type { LoraState } from '../lora/attach';

/** One batch of token ids and its attention mask (1 = token, 0 = padding), int32 [batch, length]. */
export interface DecoderInputs {
  inputIds: tf.Tensor2D;
  /**
   * Covers the cached tokens too when a cache is given ([batch, past + length]); defaults to all ones. Padding
   * may be on the right (training batches) or on the left (batched generation).
   */
  attentionMask?: tf.Tensor2D;
}

export interface CausalLMForwardOptions extends ForwardOptions {
  /** The keys and values of earlier tokens (generation); this call's are appended to it. */
  cache?: KVCache;
  /**
   * Position ids [batch, length]. By default past, past + 1, … as transformers' forward; for a left-padded batch
   * pass positionIds(mask) (decoder.ts), which counts from each row's first real token as generate() does.
   */
  positionIds?: tf.Tensor2D;
}

/** The label that the loss ignores, as in transformers and PyTorch's CrossEntropyLoss. */
export const IGNORE_INDEX = -100;

export interface CausalLM {
  architecture: DecoderArchitecture;
  config: HFConfig;
  dims: DecoderDims;
  /** The longest sequence (cache included) the positions allow. */
  maxLength: number;
  /** Every weight by its save_pretrained name (`transformer.h.0.attn.c_attn.weight`, `model.norm.weight`, …). */
  variables: Map<string, tf.Variable>;
  /** Every linear layer by module path (`transformer.h.0.attn.c_attn`), where LoRA attaches. */
  linearModules: ReadonlyMap<string, LinearModule>;
  /** The LoRA adapters attached by core/lora's attachLora, if any. */
  lora?: LoraState;
  embeddingVariableNames: string[];
  /** Weights the checkpoint lacked (initialised) and checkpoint tensors left unused, as from_pretrained warns. */
  loadReport: { initialized: string[]; unused: string[] };
  /** The final hidden states (after the last norm) [batch, length, hidden]. Dispose the result. */
  hiddenStates(inputs: DecoderInputs, options: CausalLMForwardOptions): tf.Tensor3D;
  /** The lm_head on hidden states [..., hidden] → logits [..., vocab]. */
  logits(hidden: tf.Tensor): tf.Tensor;
  /** Logits of the last position only [batch, vocab] (what generation needs), appending to the cache. */
  nextTokenLogits(inputs: DecoderInputs, options: CausalLMForwardOptions): tf.Tensor2D;
  /**
   * The mean causal-LM loss, as transformers' ForCausalLMLoss: position t predicts labels[t + 1], labels
   * IGNORE_INDEX are left out. `labels` default to the input ids with padding (mask 0) ignored. The logits
   * [batch · (length − 1), vocab] are made once; no one-hot, no log-softmax copy.
   */
  loss(inputs: DecoderInputs, labels: tf.Tensor2D | undefined, options: ForwardOptions): tf.Scalar;
  /** An empty KV cache for generation; dispose it when done. */
  newCache(): KVCache;
  dispose(): void;
}

export interface BuildCausalLMOptions {
  /** Seed for weights the checkpoint does not provide (an untied lm_head it lacks). */
  seed?: number;
  /** A Hub id or folder name, only for error messages. */
  modelName?: string;
}

/**
 * A causal LM from a decoder's config.json and checkpoint (with or without the `transformer.` / `model.` prefix;
 * F32, F16 or BF16, already float32 in `weights`). Throws ModelConfigError for a config it cannot build (an
 * encoder included: it names what the model is) and CheckpointError for missing or misshapen weights.
 */
export function buildCausalLM(
  config: HFConfig,
  weights: TensorMap,
  options: BuildCausalLMOptions = {},
): CausalLM {
  const modelName = options.modelName ?? 'this model';
  const { descriptor, dims } = checkDecoderConfig(config, modelName);
  registerModelKernels();
  const loader = new WeightLoader(
    weights,
    modelName,
    descriptor.weightPrefix,
    options.seed ?? 0,
    dims.initializerRange,
  );
  let body: ReturnType<typeof descriptor.build>;
  try {
    body = descriptor.build(loader, dims);
  } catch (err) {
    loader.dispose();
    throw err;
  }
  const maxLength = descriptor.maxLength(dims);
  const lmHead = body.lmHead;
  if (!lmHead) throw new Error('internal: the decoder was built without its lm_head');

  const hiddenStates = (inputs: DecoderInputs, options: CausalLMForwardOptions): tf.Tensor3D => {
    const { inputIds } = inputs;
    const past = options.cache?.length ?? 0;
    checkInputs(inputs, past, maxLength, modelName);
    return tf.tidy(() => {
      const [batch, length] = inputIds.shape;
      const mask = inputs.attentionMask ?? (tf.ones([batch, past + length], 'int32') as tf.Tensor2D);
      // transformers' forward: positions past, past + 1, … whatever the padding (cache_position). Left-padded
      // batches pass positionIds(mask), as generate() does.
      const positions = options.positionIds ?? defaultPositions(batch, past, length);
      return body.run(inputIds, positions, causalMask(mask, length), options.cache, dropoutFor(options));
    });
  };
  const logits = (hidden: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const h = hidden.shape[hidden.rank - 1]!;
      const flat = matMulTransposed(tf.reshape(hidden, [-1, h]) as tf.Tensor2D, lmHead as tf.Tensor2D);
      return tf.reshape(flat, [...hidden.shape.slice(0, -1), dims.vocabSize]);
    });

  return {
    architecture: descriptor.modelType,
    config,
    dims,
    maxLength,
    variables: loader.variables,
    linearModules: loader.linearModules,
    embeddingVariableNames: body.embeddingVariableNames,
    loadReport: { initialized: [...loader.initialized], unused: loader.unused() },
    hiddenStates,
    logits,
    nextTokenLogits(inputs, options) {
      return tf.tidy(() => {
        const hidden = hiddenStates(inputs, options);
        const [batch, length, h] = hidden.shape;
        return logits(
          tf.reshape(tf.slice(hidden, [0, length - 1, 0], [batch, 1, h]), [batch, h]),
        ) as tf.Tensor2D;
      });
    },
    loss(inputs, labels, options) {
      return tf.tidy(() => {
        const [batch, length] = inputs.inputIds.shape;
        if (length < 2)
          throw new ModelInputError(`${modelName}: the loss needs sequences of at least 2 tokens`);
        const given =
          labels ??
          (inputs.attentionMask
            ? (tf.where(
                tf.equal(inputs.attentionMask, 0),
                tf.fill([batch, length], IGNORE_INDEX, 'int32'),
                inputs.inputIds,
              ) as tf.Tensor2D)
            : inputs.inputIds);
        if (given.shape[0] !== batch || given.shape[1] !== length) {
          throw new ModelInputError(
            `${modelName}: labels have shape [${given.shape.join(', ')}] but the input ids have [${batch}, ${length}]`,
          );
        }
        const hidden = hiddenStates(inputs, options);
        const h = hidden.shape[2];
        const rows = batch * (length - 1);
        // Only the positions that predict a label go through the lm_head: [rows, vocab], made once.
        const shifted = tf.reshape(tf.slice(hidden, [0, 0, 0], [batch, length - 1, h]), [rows, h]);
        const lmLogits = tf.matMul(shifted, lmHead, false, true) as tf.Tensor2D;
        const targets = tf.reshape(tf.slice(given, [0, 1], [batch, length - 1]), [rows]);
        const valid = tf.cast(tf.notEqual(targets, IGNORE_INDEX), 'float32');
        const weights = tf.div(valid, tf.maximum(tf.sum(valid), 1)) as tf.Tensor1D;
        const safeTargets = tf.where(tf.notEqual(targets, IGNORE_INDEX), targets, tf.zerosLike(targets));
        return tokenCrossEntropy(lmLogits, safeTargets as tf.Tensor1D, weights);
      });
    },
    newCache: () => new KVCache(),
    dispose() {
      this.lora?.detach();
      body.dispose?.();
      loader.dispose();
    },
  };
}

/**
 * The decoder's descriptor and dimensions from its config.json, before any weights are read. An encoder is
 * refused with a message that says what it is and what it can do; so is an unsupported model_type.
 */
export function checkDecoderConfig(
  config: HFConfig,
  modelName = 'this model',
): { descriptor: DecoderDescriptor; dims: DecoderDims } {
  const descriptor = descriptorFor(config, modelName);
  if (descriptor.kind !== 'decoder') {
    throw new ModelConfigError(
      `${modelName} is a ${descriptor.label} encoder (${config.architectures?.[0] ?? descriptor.modelType}): ` +
        `WebTune classifies text with it but cannot generate text with it; generation needs a decoder: ` +
        describeSupported('decoder'),
    );
  }
  return { descriptor, dims: descriptor.parseConfig(config, `${modelName} (config.json)`) };
}

function checkInputs(inputs: DecoderInputs, past: number, maxLength: number, modelName: string): void {
  const { inputIds, attentionMask } = inputs;
  if (inputIds.rank !== 2 || inputIds.dtype !== 'int32') {
    throw new ModelInputError(
      `${modelName}: input ids must be an int32 tensor [batch, length], got ${inputIds.dtype} [${inputIds.shape.join(', ')}]`,
    );
  }
  const [batch, length] = inputIds.shape;
  if (batch === 0 || length === 0) throw new ModelInputError(`${modelName}: the batch is empty`);
  if (
    attentionMask &&
    (attentionMask.rank !== 2 || attentionMask.shape[0] !== batch || attentionMask.shape[1] !== past + length)
  ) {
    throw new ModelInputError(
      `${modelName}: the attention mask has shape [${attentionMask.shape.join(', ')}] but needs [${batch}, ${past + length}] ` +
        `(${past} cached + ${length} new tokens)`,
    );
  }
  if (past + length > maxLength) {
    throw new ModelInputError(
      `${modelName}: ${past + length} tokens are more than the model's ${maxLength} positions; shorten the prompt or generate fewer tokens`,
    );
  }
}
