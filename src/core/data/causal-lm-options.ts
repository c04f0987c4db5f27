// A causal LM's data options under TRL's SFTConfig names (block_size, packing, completion_only_loss,
// assistant_only_loss) and their defaults per kind of data and model. Plain data without tfjs: the tokenising
// code (train/causal-lm-examples.ts) and the app's Train form both resolve them here.
import { tableDefault, type TrainingMode } from '../argument-table';
import type { GenerativeKind } from './generative';

export interface CausalLmDataOptions {
  /** Tokens per packed block, and the longest unpacked example. */
  block_size: number;
  packing: boolean;
  /** Instruction data: loss only on the completion's tokens. */
  completion_only_loss: boolean;
  /** Chat: loss only on the assistant turns. */
  assistant_only_loss: boolean;
}

/** The block size when none is given: min(model context, 512), as the issue and run_clm (1024 there) choose. */
export function defaultBlockSize(modelMaxLength: number): number {
  return Math.min(modelMaxLength, 512);
}

/** The given options over the defaults for this kind of data (TRL's: packing for plain text only). */
export function resolveCausalLmDataOptions(
  kind: GenerativeKind,
  given: Partial<CausalLmDataOptions>,
  modelMaxLength: number,
): CausalLmDataOptions {
  const options: CausalLmDataOptions = {
    block_size: given.block_size ?? defaultBlockSize(modelMaxLength),
    packing: given.packing ?? kind === 'text',
    completion_only_loss: given.completion_only_loss ?? (tableDefault('completion_only_loss') as boolean),
    assistant_only_loss: given.assistant_only_loss ?? (tableDefault('assistant_only_loss') as boolean),
  };
  if (!Number.isInteger(options.block_size) || options.block_size < 2)
    throw new Error(`block_size must be an integer ≥ 2, got ${options.block_size}`);
  if (options.block_size > modelMaxLength)
    throw new Error(`block_size ${options.block_size} is more than the model's ${modelMaxLength} positions`);
  return options;
}

/**
 * Why a run cannot train with ChatML added in this mode, or undefined: LoRA freezes the embeddings and a PEFT
 * adapter holds none, so ChatML's new tokens would stay at their initial rows and be missing from the adapter.
 */
export function chatMlModeProblem(
  chatMlAdded: boolean,
  mode: TrainingMode,
  modelName: string,
): string | undefined {
  if (!chatMlAdded || mode !== 'lora') return undefined;
  return (
    `${modelName} has no chat template, so chat data adds ChatML's tokens to it, and LoRA cannot train or save ` +
    'new token embeddings (its adapter holds none): train this model in mode full, or pick a model with a chat template'
  );
}
