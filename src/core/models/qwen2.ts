// Qwen2 (Qwen2ForCausalLM; Qwen2.5 too): Llama (llama.ts) with biases on the q, k and v projections, and
// Qwen2's config defaults. Sliding-window attention is refused (the released checkpoints do not use it).
import { buildLlamaFamily, parseLlamaFamilyConfig } from './llama';
import type { DecoderDescriptor } from './registry';

export const qwen2Descriptor: DecoderDescriptor = {
  kind: 'decoder',
  modelType: 'qwen2',
  label: 'Qwen2',
  weightPrefix: 'model',
  embeddingTensor: 'embed_tokens.weight',
  loraTargets: ['q_proj', 'v_proj'],
  parseConfig: (config, where) => parseLlamaFamilyConfig(config, where, 'qwen2'),
  build: buildLlamaFamily,
  maxLength: (dims) => dims.maxPositions,
  tasks: {
    'causal-lm': { className: 'Qwen2ForCausalLM', tensor: 'lm_head.weight' },
    'sequence-classification': {
      className: 'Qwen2ForSequenceClassification',
      tensors: ['score.weight'],
      outLayer: 'score',
    },
  },
};
