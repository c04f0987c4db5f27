// Random weights for a BERT config, named as a BertModel checkpoint names them, so tests can build models of a
// real model's shape (MiniLM-L6, …) without its checkpoint. Normal(0, 0.02) like transformers' initialiser.
import type { TensorMap } from '../../src/core/hub/tensors';
import type { HFConfig } from '../../src/core/models/types';
import { createRng } from '../../src/core/random';

export function randomBertWeights(config: HFConfig, seed = 0): TensorMap {
  const rng = createRng(seed);
  const num = (key: string): number => {
    const value = (config as unknown as Record<string, unknown>)[key];
    if (typeof value !== 'number') throw new Error(`randomBertWeights: config.${key} is not a number`);
    return value;
  };
  const hidden = num('hidden_size');
  const inter = num('intermediate_size');
  const weights: TensorMap = new Map();
  const add = (name: string, shape: number[], kind: 'normal' | 'ones' | 'zeros') => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (kind === 'ones') data.fill(1);
    else if (kind === 'normal') for (let i = 0; i < size; i++) data[i] = rng.nextGaussian() * 0.02;
    weights.set(`bert.${name}`, { shape, data });
  };
  const dense = (name: string, out: number, inDim: number) => {
    add(`${name}.weight`, [out, inDim], 'normal');
    add(`${name}.bias`, [out], 'zeros');
  };
  const norm = (name: string) => {
    add(`${name}.weight`, [hidden], 'ones');
    add(`${name}.bias`, [hidden], 'zeros');
  };
  add('embeddings.word_embeddings.weight', [num('vocab_size'), hidden], 'normal');
  add('embeddings.position_embeddings.weight', [num('max_position_embeddings'), hidden], 'normal');
  add('embeddings.token_type_embeddings.weight', [num('type_vocab_size'), hidden], 'normal');
  norm('embeddings.LayerNorm');
  for (let i = 0; i < num('num_hidden_layers'); i++) {
    const l = `encoder.layer.${i}`;
    for (const p of ['query', 'key', 'value']) dense(`${l}.attention.self.${p}`, hidden, hidden);
    dense(`${l}.attention.output.dense`, hidden, hidden);
    norm(`${l}.attention.output.LayerNorm`);
    dense(`${l}.intermediate.dense`, inter, hidden);
    dense(`${l}.output.dense`, hidden, inter);
    norm(`${l}.output.LayerNorm`);
  }
  dense('pooler.dense', hidden, hidden);
  return weights;
}
