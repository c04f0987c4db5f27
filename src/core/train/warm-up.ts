// One untimed forward and backward pass on the longest batch a run will see, for any task, so that WebGPU
// compiles its shaders before the first timed step (the first webgpu step can otherwise stall for seconds);
// and, before Start, such a pass timed, for the run's estimated time.
import * as tf from '@tensorflow/tfjs';

import type { TaskExample, TrainingTask } from '../tasks/types';
import type { TrainingArguments } from './arguments';
import { trainableVariables, type TrainableModel } from './weights';

/** The indices of the `size` longest examples: the batch with the most tokens, the slowest a run will see. */
function longestBatch(examples: readonly TaskExample[], size: number): number[] {
  return [...examples.keys()]
    .sort((a, b) => (examples[b]?.inputIds.length ?? 0) - (examples[a]?.inputIds.length ?? 0))
    .slice(0, size);
}

/**
 * One forward and backward pass of a training step on these examples, read back and freed: the gradients are
 * computed as a step computes them (dropout on) but never applied, so the weights stay as they were.
 */
async function gradientPass<Model extends TrainableModel, Example extends TaskExample, Details>(
  task: TrainingTask<Model, Example, Details>,
  model: Model,
  examples: readonly Example[],
  indices: number[],
  args: TrainingArguments,
): Promise<void> {
  // What the steps differentiate (with LoRA: the adapters and saved modules), so their shaders compile too.
  const variables = [...trainableVariables(model, args.mode).values()];
  const { value, grads } = tf.tidy(() =>
    tf.variableGrads(
      () => task.batchLoss(model, examples, indices, { training: true, dropoutSeed: 0, args }),
      variables,
    ),
  );
  await value.data();
  tf.dispose([value, ...Object.values(grads)]);
}

export async function warmUpTask<Model extends TrainableModel, Example extends TaskExample, Details>(
  task: TrainingTask<Model, Example, Details>,
  model: Model,
  examples: readonly Example[],
  args: TrainingArguments,
): Promise<void> {
  await gradientPass(task, model, examples, longestBatch(examples, args.per_device_train_batch_size), args);
}

/**
 * Seconds one micro-batch of the run takes (a forward and backward pass of per_device_train_batch_size
 * examples), measured before Start on the longest batch, which makes it an upper bound for runs whose batches
 * are shorter. On webgpu an untimed pass goes first (its shader compiles would dominate); wasm and cpu compile
 * nothing, so their first pass is timed too. One timed pass is the default: the form asks again after each
 * change, and every pass delays a Start that follows it. `abandoned` is asked before each pass: when it says
 * why (a run is starting), the measurement stops there and rejects with that reason, so a Start waits for one
 * pass at most. Nothing is applied: the weights and the tensor count end as they began.
 */
export async function measureMicroBatchSeconds<
  Model extends TrainableModel,
  Example extends TaskExample,
  Details,
>(
  task: TrainingTask<Model, Example, Details>,
  model: Model,
  examples: readonly Example[],
  args: TrainingArguments,
  { passes = 1, abandoned = () => undefined }: { passes?: number; abandoned?: () => string | undefined } = {},
): Promise<number> {
  if (!Number.isInteger(passes) || passes < 1)
    throw new Error(`passes must be a positive integer, got ${passes}`);
  const indices = longestBatch(examples, args.per_device_train_batch_size);
  const pass = async (): Promise<number> => {
    // A task boundary first: a pass on wasm or cpu settles in microtasks only, so without it a Start message
    // could not be handled (and seen here) until the whole measurement had ended.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const reason = abandoned();
    if (reason !== undefined) throw new Error(reason);
    const started = performance.now();
    await gradientPass(task, model, examples, indices, args);
    return (performance.now() - started) / 1000;
  };
  if (tf.getBackend() === 'webgpu') await pass();
  let seconds = 0;
  for (let i = 0; i < passes; i++) seconds += await pass();
  return seconds / passes;
}
