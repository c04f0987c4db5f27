// Turns a checkpoint's TensorMap into tf.Variables keyed by the names save_pretrained writes for
// *ForSequenceClassification, whatever layout the checkpoint came in: with or without the model prefix
// (`bert.`, `distilbert.`, `roberta.`), old LayerNorm `gamma`/`beta` names, extra tensors (MLM heads,
// position_ids buffers) left unused. Heads and other weights a checkpoint may lack are initialised as
// transformers' from_pretrained does: normal(0, initializer_range) weights, zero biases, from a seed.
import * as tf from '@tensorflow/tfjs';

import { createRng, normalArray } from '../random';

import type { HostTensor, TensorMap } from '../hub/tensors';
import type { Dense, LinearModule, Norm } from './layers';
import { mixSeed } from './layers';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export type Init = 'normal' | 'zeros' | 'ones';

let modelCount = 0;

export class WeightLoader {
  readonly variables = new Map<string, tf.Variable>();
  /**
   * Every linear layer (Linear or Conv1D) by its module path in the task model (`bert.encoder.layer.0.
   * attention.self.query`, `classifier`, `transformer.h.0.attn.c_attn`), where LoRA finds its targets.
   */
  readonly linearModules = new Map<string, LinearModule>();
  /** Names that the checkpoint did not provide (or provided with another shape) and were initialised. */
  readonly initialized: string[] = [];
  private readonly used = new Set<string>();
  /** Keeps tfjs's global variable names unique when several models live in one process. */
  private readonly scope = `webtune${++modelCount}`;

  constructor(
    private readonly weights: TensorMap,
    private readonly modelName: string,
    /** The backbone's prefix in the task model's names (`bert`, `distilbert`, `transformer`, `model`, …). */
    private readonly prefix: string,
    private readonly seed: number,
    private readonly initializerRange: number,
  ) {}

  /** An encoder weight (`embeddings.word_embeddings.weight`, …); the checkpoint must have it. */
  encoder(name: string, shape: number[]): tf.Variable {
    const key = `${this.prefix}.${name}`;
    const found = this.find([key, name]);
    if (!found) {
      throw new CheckpointError(
        `${this.modelName}: the checkpoint has no ${key} (nor ${name}); it does not look like a ` +
          `${this.prefix} checkpoint with this config.json`,
      );
    }
    this.checkShape(found.name, found.tensor, shape);
    return this.take(key, found);
  }

  /** An encoder weight that transformers initialises when a checkpoint lacks it (BERT's pooler). */
  encoderOrInit(name: string, shape: number[], init: Init): tf.Variable {
    const key = `${this.prefix}.${name}`;
    const found = this.find([key, name]);
    if (!found) return this.init(key, shape, init);
    this.checkShape(found.name, found.tensor, shape);
    return this.take(key, found);
  }

  /**
   * A head weight (`classifier.weight`, …): reused when the checkpoint has it with this shape, initialised
   * otherwise (a bare or MLM checkpoint, or a classifier trained for another number of labels), as
   * from_pretrained with ignore_mismatched_sizes does.
   */
  head(name: string, shape: number[], init: Init): tf.Variable {
    const found = this.find([name]);
    if (found && sameShape(found.tensor.shape, shape)) return this.take(name, found);
    return this.init(name, shape, init);
  }

  /**
   * A weight that is computed rather than learnt (DistilBERT's sinusoidal positions): taken from the checkpoint
   * when it has it (as from_pretrained does), else computed; never trainable.
   */
  fixed(name: string, shape: number[], compute: () => Float32Array): tf.Variable {
    const key = `${this.prefix}.${name}`;
    const found = this.find([key, name]);
    if (!found) return this.add(key, shape, compute(), false);
    this.checkShape(found.name, found.tensor, shape);
    return this.take(key, found, false);
  }

  /**
   * A causal LM's output projection [vocab, hidden]. Tied (tie_word_embeddings): the embedding variable itself;
   * a checkpoint's lm_head.weight must then be absent (save_pretrained omits it) or equal the embeddings.
   * Untied: lm_head.weight, initialised as from_pretrained does when the checkpoint lacks it.
   */
  lmHead(
    embeddings: tf.Variable,
    embeddingName: string,
    dims: { tieWordEmbeddings: boolean; vocabSize: number; hiddenSize: number },
  ): tf.Variable {
    const name = 'lm_head.weight';
    if (!dims.tieWordEmbeddings) return this.head(name, [dims.vocabSize, dims.hiddenSize], 'normal');
    const head = this.weights.get(name);
    if (head) {
      const table = this.find([`${this.prefix}.${embeddingName}`, embeddingName])!.tensor;
      const same = sameShape(head.shape, table.shape) && head.data.every((x, i) => x === table.data[i]);
      if (!same) {
        throw new CheckpointError(
          `${this.modelName}: config.json ties lm_head to the embeddings (tie_word_embeddings), but the ` +
            `checkpoint's lm_head.weight differs from ${embeddingName}`,
        );
      }
      this.used.add(name);
    }
    return embeddings;
  }

  encoderDense(name: string, outDim: number, inDim: number): Dense {
    return this.registerLinear(`${this.prefix}.${name}`, {
      weight: this.encoder(`${name}.weight`, [outDim, inDim]),
      bias: this.encoder(`${name}.bias`, [outDim]),
    });
  }

  /**
   * A backbone linear layer that the checkpoint must have: a PyTorch Linear [out, in] or, with layout "in-out",
   * a transformers Conv1D [in, out] (GPT-2); with or without a bias.
   */
  encoderLinear(
    name: string,
    outDim: number,
    inDim: number,
    options: { bias: boolean; layout?: 'in-out' },
  ): LinearModule {
    const conv = options.layout === 'in-out';
    return this.registerLinear(`${this.prefix}.${name}`, {
      weight: this.encoder(`${name}.weight`, conv ? [inDim, outDim] : [outDim, inDim]),
      ...(options.bias ? { bias: this.encoder(`${name}.bias`, [outDim]) } : {}),
      ...(conv ? { layout: 'in-out' as const } : {}),
    });
  }

  /** Records a linear layer under its module path (see linearModules) and returns it. */
  registerLinear<T extends LinearModule>(path: string, module: T): T {
    if (this.linearModules.has(path)) throw new Error(`internal: the layer ${path} was created twice`);
    this.linearModules.set(path, module);
    return module;
  }

  encoderNorm(name: string, size: number): Norm {
    return { weight: this.encoder(`${name}.weight`, [size]), bias: this.encoder(`${name}.bias`, [size]) };
  }

  headDense(name: string, outDim: number, inDim: number): Dense {
    return this.registerLinear(name, {
      weight: this.head(`${name}.weight`, [outDim, inDim], 'normal'),
      bias: this.head(`${name}.bias`, [outDim], 'zeros'),
    });
  }

  /** Checkpoint tensors that no variable took (an MLM head, buffers, a pooler RoBERTa does not use, …). */
  unused(): string[] {
    return [...this.weights.keys()].filter((name) => !this.used.has(name)).sort();
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }

  private find(names: string[]): { name: string; tensor: HostTensor } | undefined {
    for (const name of names) {
      for (const candidate of [name, ...legacyNames(name)]) {
        const tensor = this.weights.get(candidate);
        if (tensor) return { name: candidate, tensor };
      }
    }
    return undefined;
  }

  /** A variable from a checkpoint tensor, which then counts as used. */
  private take(name: string, found: { name: string; tensor: HostTensor }, trainable = true): tf.Variable {
    this.used.add(found.name);
    return this.add(name, found.tensor.shape, found.tensor.data, trainable);
  }

  private checkShape(name: string, tensor: HostTensor, shape: number[]): void {
    if (!sameShape(tensor.shape, shape)) {
      throw new CheckpointError(
        `${this.modelName}: ${name} has shape [${tensor.shape.join(', ')}] but config.json implies ` +
          `[${shape.join(', ')}]`,
      );
    }
  }

  private init(name: string, shape: number[], init: Init): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const data =
      init === 'normal'
        ? normalSamples(size, this.initializerRange, mixSeed(this.seed, hashName(name)))
        : new Float32Array(size).fill(init === 'ones' ? 1 : 0);
    this.initialized.push(name);
    return this.add(name, shape, data);
  }

  private add(name: string, shape: number[], data: Float32Array, trainable = true): tf.Variable {
    if (this.variables.has(name)) throw new Error(`internal: ${name} was created twice`);
    const variable = tf.tidy(() =>
      tf.variable(tf.tensor(data, shape, 'float32'), trainable, `${this.scope}/${name}`),
    );
    this.variables.set(name, variable);
    return variable;
  }
}

/** Names older checkpoints (converted from the original TensorFlow BERT) give LayerNorm parameters. */
function legacyNames(name: string): string[] {
  if (!/LayerNorm|layer_norm/.test(name)) return [];
  if (name.endsWith('.weight')) return [name.replace(/\.weight$/, '.gamma')];
  if (name.endsWith('.bias')) return [name.replace(/\.bias$/, '.beta')];
  return [];
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** FNV-1a over the name, so each initialised tensor gets its own stream from the one seed. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** `count` draws from normal(0, std) on the host, so the same seed gives the same weights on every backend. */
export function normalSamples(count: number, std: number, seed: number): Float32Array {
  return normalArray(createRng(seed), count, std);
}
