// GPT-2 (GPT2LMHeadModel), as transformers computes it: learned position embeddings, pre-norm blocks with
// LayerNorm, Conv1D weights stored [in, out] (`attn.c_attn` holds q, k and v side by side along `out`),
// gelu_new, a final ln_f, and an lm_head tied to `wte` (absent from most checkpoints).
import * as tf from '@tensorflow/tfjs';

import { FieldReader, ModelConfigError } from './config-fields';
import { groupedAttention, splitHeads, type DecoderBody, type DecoderDims, type KVCache } from './decoder';
import { activate, embed, layerNorm, linear as conv1d, type LinearModule, type Norm } from './layers';
import type { DecoderDescriptor } from './registry';
import type { HFConfig } from './types';
import type { WeightLoader } from './weights';

export function parseGpt2Config(config: HFConfig, where: string): DecoderDims {
  const fields = new FieldReader(config, where);
  if (fields.boolean('add_cross_attention', false)) {
    throw new ModelConfigError(
      `${where} has add_cross_attention true; WebTune builds GPT-2 as a plain decoder`,
    );
  }
  const hiddenSize = fields.positiveInt('n_embd', 768);
  const numHeads = fields.positiveInt('n_head', 12);
  if (hiddenSize % numHeads !== 0) {
    throw new ModelConfigError(`${where}: n_embd ${hiddenSize} is not a multiple of n_head ${numHeads}`);
  }
  const inner = config.n_inner;
  return {
    architecture: 'gpt2',
    vocabSize: fields.positiveInt('vocab_size', 50257),
    hiddenSize,
    numLayers: fields.positiveInt('n_layer', 12),
    numHeads,
    numKvHeads: numHeads,
    headDim: hiddenSize / numHeads,
    intermediateSize:
      inner === null || inner === undefined ? 4 * hiddenSize : fields.positiveInt('n_inner', 0),
    activation: fields.activation('activation_function', 'gelu_new'),
    maxPositions: fields.positiveInt('n_positions', 1024),
    normEps: fields.positiveNumber('layer_norm_epsilon', 1e-5),
    initializerRange: fields.positiveNumber('initializer_range', 0.02),
    tieWordEmbeddings: fields.boolean('tie_word_embeddings', true),
    embeddingDropout: fields.probability('embd_pdrop', 0.1),
    residualDropout: fields.probability('resid_pdrop', 0.1),
    attentionDropout: fields.probability('attn_pdrop', 0.1),
    bosTokenId: fields.optionalId('bos_token_id') ?? 50256,
    eosTokenIds: fields.idList('eos_token_id') ?? [50256],
    padTokenId: fields.optionalId('pad_token_id'),
    scaleByInverseLayer: fields.boolean('scale_attn_by_inverse_layer_idx', false),
    unscaledAttention: !fields.boolean('scale_attn_weights', true),
  };
}

export function buildGpt2(
  loader: WeightLoader,
  dims: DecoderDims,
  options: { lmHead?: boolean } = {},
): DecoderBody {
  const h = dims.hiddenSize;
  const inner = dims.intermediateSize;
  const norm = (name: string): Norm => loader.encoderNorm(name, h);
  // transformers' Conv1D: y = x·W + b with W [in, out].
  const conv = (name: string, inDim: number, outDim: number): LinearModule =>
    loader.encoderLinear(name, outDim, inDim, { bias: true, layout: 'in-out' });
  const wte = loader.encoder('wte.weight', [dims.vocabSize, h]);
  const wpe = loader.encoder('wpe.weight', [dims.maxPositions, h]);
  const layers = Array.from({ length: dims.numLayers }, (_, i) => ({
    ln1: norm(`h.${i}.ln_1`),
    cAttn: conv(`h.${i}.attn.c_attn`, h, 3 * h),
    cProj: conv(`h.${i}.attn.c_proj`, h, h),
    ln2: norm(`h.${i}.ln_2`),
    cFc: conv(`h.${i}.mlp.c_fc`, h, inner),
    mlpProj: conv(`h.${i}.mlp.c_proj`, inner, h),
  }));
  const lnF = norm('ln_f');
  return {
    ...(options.lmHead === false ? {} : { lmHead: loader.lmHead(wte, 'wte.weight', dims) }),
    embeddingVariableNames: ['transformer.wte.weight', 'transformer.wpe.weight'],
    run(inputIds, positions, mask, cache: KVCache | undefined, dropout) {
      let x = tf.add(embed(wte as tf.Tensor2D, inputIds), embed(wpe as tf.Tensor2D, positions));
      x = dropout.apply(x, dims.embeddingDropout);
      layers.forEach((layer, i) => {
        const qkv = conv1d(layerNorm(x, layer.ln1, dims.normEps), layer.cAttn);
        const [q, k, v] = tf.split(qkv, 3, -1).map((t) => splitHeads(t, dims.numHeads, dims.headDim)) as [
          tf.Tensor4D,
          tf.Tensor4D,
          tf.Tensor4D,
        ];
        const kv = cache ? cache.append(i, k, v) : { k, v };
        const divisor =
          (dims.unscaledAttention ? 1 : Math.sqrt(dims.headDim)) * (dims.scaleByInverseLayer ? i + 1 : 1);
        const context = groupedAttention(q, kv.k, kv.v, mask, divisor, dropout, dims.attentionDropout);
        x = tf.add(x, dropout.apply(conv1d(context, layer.cProj), dims.residualDropout));
        const hidden = activate(conv1d(layerNorm(x, layer.ln2, dims.normEps), layer.cFc), dims.activation);
        x = tf.add(x, dropout.apply(conv1d(hidden, layer.mlpProj), dims.residualDropout));
      });
      return layerNorm(x, lnF, dims.normEps) as tf.Tensor3D;
    },
  };
}

export const gpt2Descriptor: DecoderDescriptor = {
  kind: 'decoder',
  modelType: 'gpt2',
  label: 'GPT-2',
  weightPrefix: 'transformer',
  embeddingTensor: 'wte.weight',
  loraTargets: ['c_attn'],
  parseConfig: parseGpt2Config,
  build: buildGpt2,
  maxLength: (dims) => dims.maxPositions,
  tasks: {
    'causal-lm': { className: 'GPT2LMHeadModel', tensor: 'lm_head.weight' },
    'sequence-classification': {
      className: 'GPT2ForSequenceClassification',
      tensors: ['score.weight'],
      outLayer: 'score',
    },
  },
};
