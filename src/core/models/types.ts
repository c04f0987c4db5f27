// The contract between the model engine (core/models), the trainer (core/train) and export (core/export).
import type * as tf from '@tensorflow/tfjs';

import type { LoraState } from '../lora/attach';
import type { LinearModule } from './layers';

/** The encoders, fine-tuned as sequence classifiers. */
export type EncoderArchitecture = 'bert' | 'distilbert' | 'roberta';
/** The decoders, causal language models. */
export type DecoderArchitecture = 'gpt2' | 'llama' | 'qwen2';
/** Every model_type the registry (registry.ts) builds. */
export type Architecture = EncoderArchitecture | DecoderArchitecture;

/** A Hugging Face `config.json`, with the fields WebTune reads; the rest is kept and written back on export. */
export interface HFConfig {
  model_type: string;
  architectures?: string[];
  vocab_size: number;
  hidden_size?: number;
  num_hidden_layers?: number;
  num_attention_heads?: number;
  intermediate_size?: number;
  hidden_act?: string;
  max_position_embeddings: number;
  type_vocab_size?: number;
  layer_norm_eps?: number;
  initializer_range?: number;
  hidden_dropout_prob?: number;
  attention_probs_dropout_prob?: number;
  classifier_dropout?: number | null;
  pad_token_id?: number;
  id2label?: Record<string, string>;
  label2id?: Record<string, number>;
  num_labels?: number;
  // DistilBERT's own names.
  dim?: number;
  n_layers?: number;
  n_heads?: number;
  hidden_dim?: number;
  activation?: string;
  dropout?: number;
  attention_dropout?: number;
  seq_classif_dropout?: number;
  sinusoidal_pos_embds?: boolean;
  [key: string]: unknown;
}

/** One batch, already tokenised and padded: int32 tensors of shape [batch, length]. */
export interface EncoderInputs {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  /** BERT only; DistilBERT and RoBERTa ignore it. */
  tokenTypeIds?: tf.Tensor2D;
}

export interface ForwardOptions {
  /** Dropout is active only when training. */
  training: boolean;
  /** Seed for this step's dropout masks, so a run is reproducible. */
  dropoutSeed?: number;
}

export interface SequenceClassifier {
  /** An encoder, or a decoder with transformers' *ForSequenceClassification head (decoder-classifier.ts). */
  architecture: Architecture;
  config: HFConfig;
  numLabels: number;
  /**
   * Every weight, keyed by the name `save_pretrained` writes for `*ForSequenceClassification`
   * (`bert.encoder.layer.0.attention.self.query.weight`, `classifier.weight`, …), with the tensor laid out as
   * PyTorch stores it (Linear weights are [out, in]).
   */
  variables: Map<string, tf.Variable>;
  /** Every linear layer by module path, where LoRA attaches (optional for other producers of this interface). */
  linearModules?: ReadonlyMap<string, LinearModule>;
  /** The LoRA adapters attached by core/lora's attachLora, if any. */
  lora?: LoraState;
  /** The names of the head's weights (new at fine-tuning time), a subset of `variables`' keys. */
  headVariableNames: string[];
  /** The names of the embedding weights, for the frozen-embeddings mode. */
  embeddingVariableNames: string[];
  /**
   * What loading did with the checkpoint (optional for other producers of this interface): the weights that
   * were initialised because the checkpoint lacked them (a new head), and the checkpoint tensors left unused
   * (an MLM head, buffers), as transformers' from_pretrained warns about both.
   */
  loadReport?: { initialized: string[]; unused: string[] };
  /** Logits [batch, numLabels]. Call inside tf.tidy or dispose the result. */
  forward(inputs: EncoderInputs, options: ForwardOptions): tf.Tensor2D;
  /**
   * The encoder's (or decoder trunk's) last_hidden_state [batch, length, hidden] (and BERT's pooler_output), for
   * fidelity checks.
   */
  encode(
    inputs: EncoderInputs,
    options: ForwardOptions,
  ): { lastHiddenState: tf.Tensor3D; poolerOutput?: tf.Tensor2D };
  dispose(): void;
}
