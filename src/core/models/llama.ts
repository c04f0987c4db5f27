// Llama (LlamaForCausalLM; also SmolLM / SmolLM2 and TinyLlama), as transformers computes it: pre-norm blocks
// with RMSNorm, rotary embeddings on q and k (rotate-half form), grouped-query attention, the SwiGLU MLP
// down(silu(gate(x)) · up(x)), a final norm, and lm_head tied to embed_tokens or not. Qwen2 (qwen2.ts) is
// this with biases on q, k and v.
import * as tf from '@tensorflow/tfjs';

import { FieldReader, ModelConfigError } from './config-fields';
import {
  applyRotary,
  groupedAttention,
  rmsNorm,
  RotaryTable,
  splitHeads,
  type DecoderBody,
  type DecoderDims,
} from './decoder';
import { activate, embed, linear as project, type LinearModule } from './layers';
import type { DecoderDescriptor } from './registry';
import { ropeInverseFrequencies } from './rope';
import type { DecoderArchitecture, HFConfig } from './types';
import type { WeightLoader } from './weights';

/** Llama's and Qwen2's config.json fields, with transformers' defaults for the given model type. */
export function parseLlamaFamilyConfig(
  config: HFConfig,
  where: string,
  architecture: Extract<DecoderArchitecture, 'llama' | 'qwen2'>,
): DecoderDims {
  const fields = new FieldReader(config, where);
  const qwen = architecture === 'qwen2';
  if (qwen && fields.boolean('use_sliding_window', false)) {
    throw new ModelConfigError(
      `${where} has use_sliding_window true; WebTune attends over the whole sequence only`,
    );
  }
  const hiddenSize = fields.positiveInt('hidden_size', 4096);
  const numHeads = fields.positiveInt('num_attention_heads', 32);
  const numKvHeads = fields.positiveInt('num_key_value_heads', numHeads);
  if (numHeads % numKvHeads !== 0) {
    throw new ModelConfigError(
      `${where}: num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`,
    );
  }
  if (!config.head_dim && hiddenSize % numHeads !== 0) {
    throw new ModelConfigError(`${where}: hidden_size ${hiddenSize} is not a multiple of ${numHeads} heads`);
  }
  const headDim = fields.positiveInt('head_dim', hiddenSize / numHeads);
  const activation = fields.activation('hidden_act', 'silu');
  return {
    architecture,
    vocabSize: fields.positiveInt('vocab_size', qwen ? 151936 : 32000),
    hiddenSize,
    numLayers: fields.positiveInt('num_hidden_layers', 32),
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: fields.positiveInt('intermediate_size', qwen ? 22016 : 11008),
    activation,
    maxPositions: fields.positiveInt('max_position_embeddings', qwen ? 32768 : 2048),
    normEps: fields.positiveNumber('rms_norm_eps', 1e-6),
    initializerRange: fields.positiveNumber('initializer_range', 0.02),
    tieWordEmbeddings: fields.boolean('tie_word_embeddings', false),
    embeddingDropout: 0,
    residualDropout: 0,
    attentionDropout: fields.probability('attention_dropout', 0),
    bosTokenId: fields.optionalId('bos_token_id'),
    eosTokenIds: fields.idList('eos_token_id') ?? [],
    padTokenId: fields.optionalId('pad_token_id'),
    ropeInvFreq: ropeInverseFrequencies(config, headDim, where),
    // Qwen2 always has q/k/v biases and none elsewhere; Llama has attention_bias (q, k, v, o) and mlp_bias.
    projectionBias: qwen
      ? { qkv: true, output: false, mlp: false }
      : {
          qkv: fields.boolean('attention_bias', false),
          output: fields.boolean('attention_bias', false),
          mlp: fields.boolean('mlp_bias', false),
        },
  };
}

export function buildLlamaFamily(
  loader: WeightLoader,
  dims: DecoderDims,
  options: { lmHead?: boolean } = {},
): DecoderBody {
  const biases = dims.projectionBias ?? { qkv: false, output: false, mlp: false };
  const h = dims.hiddenSize;
  const qDim = dims.numHeads * dims.headDim;
  const kvDim = dims.numKvHeads * dims.headDim;
  const linear = (name: string, outDim: number, inDim: number, bias: boolean): LinearModule =>
    loader.encoderLinear(name, outDim, inDim, { bias });
  const norm = (name: string) => loader.encoder(`${name}.weight`, [h]);
  const embedTokens = loader.encoder('embed_tokens.weight', [dims.vocabSize, h]);
  const layers = Array.from({ length: dims.numLayers }, (_, i) => {
    const at = (name: string) => `layers.${i}.${name}`;
    return {
      inputNorm: norm(at('input_layernorm')),
      q: linear(at('self_attn.q_proj'), qDim, h, biases.qkv),
      k: linear(at('self_attn.k_proj'), kvDim, h, biases.qkv),
      v: linear(at('self_attn.v_proj'), kvDim, h, biases.qkv),
      o: linear(at('self_attn.o_proj'), h, qDim, biases.output),
      postNorm: norm(at('post_attention_layernorm')),
      gate: linear(at('mlp.gate_proj'), dims.intermediateSize, h, biases.mlp),
      up: linear(at('mlp.up_proj'), dims.intermediateSize, h, biases.mlp),
      down: linear(at('mlp.down_proj'), h, dims.intermediateSize, biases.mlp),
    };
  });
  const finalNorm = norm('norm');
  const rotary = new RotaryTable(dims.ropeInvFreq!, dims.maxPositions);
  return {
    ...(options.lmHead === false ? {} : { lmHead: loader.lmHead(embedTokens, 'embed_tokens.weight', dims) }),
    embeddingVariableNames: ['model.embed_tokens.weight'],
    dispose: () => rotary.dispose(),
    run(inputIds, positions, mask, cache, dropout) {
      let x = embed(embedTokens as tf.Tensor2D, inputIds);
      const past = cache?.length ?? 0;
      // Position ids never exceed the token's index (left padding counts from later), so this bounds them.
      const { cos, sin } = rotary.at(positions, past + inputIds.shape[1] - 1);
      layers.forEach((layer, i) => {
        const normed = rmsNorm(x, layer.inputNorm, dims.normEps);
        const q = applyRotary(splitHeads(project(normed, layer.q), dims.numHeads, dims.headDim), cos, sin);
        const k = applyRotary(splitHeads(project(normed, layer.k), dims.numKvHeads, dims.headDim), cos, sin);
        const v = splitHeads(project(normed, layer.v), dims.numKvHeads, dims.headDim);
        const kv = cache ? cache.append(i, k, v) : { k, v };
        const divisor = Math.sqrt(dims.headDim);
        const context = groupedAttention(q, kv.k, kv.v, mask, divisor, dropout, dims.attentionDropout);
        x = tf.add(x, project(context, layer.o));
        const post = rmsNorm(x, layer.postNorm, dims.normEps);
        const gated = tf.mul(activate(project(post, layer.gate), dims.activation), project(post, layer.up));
        x = tf.add(x, project(gated, layer.down));
      });
      return rmsNorm(x, finalNorm, dims.normEps) as tf.Tensor3D;
    },
  };
}

export const llamaDescriptor: DecoderDescriptor = {
  kind: 'decoder',
  modelType: 'llama',
  label: 'Llama',
  weightPrefix: 'model',
  embeddingTensor: 'embed_tokens.weight',
  loraTargets: ['q_proj', 'v_proj'],
  parseConfig: (config, where) => parseLlamaFamilyConfig(config, where, 'llama'),
  build: buildLlamaFamily,
  maxLength: (dims) => dims.maxPositions,
  tasks: {
    'causal-lm': { className: 'LlamaForCausalLM', tensor: 'lm_head.weight' },
    'sequence-classification': {
      className: 'LlamaForSequenceClassification',
      tensors: ['score.weight'],
      outLayer: 'score',
    },
  },
};
